"""`python -m devstack dev|demo|run-schedule|token` — the local stack from the command line.

    dev            start the stack in the foreground (Ctrl-C stops it and everything it started)
    demo           start it, seed it, play the scripted day, print timeline and summary, stop it
    run-schedule   run a scheduled function of a running `dev` stack now
    token          print an unsigned emulator ID token (for curl or a script)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from devstack.activity import Invocation
from devstack.clock import ShiftedClock
from devstack.demo import run_demo
from devstack.emulators import DEFAULT_BUCKET, EmulatorUnavailable
from devstack.loader import Kind, LoadError, resolve
from devstack.stack import FUNCTIONS_DIR, RULES, LocalStack, Ports
from devstack.tokens import emulator_id_token


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command: Any = args.command
    return int(command(args))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m devstack", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = root.add_subparsers(required=True, metavar="COMMAND")

    dev = commands.add_parser("dev", help="run the local stack in the foreground")
    _stack_options(dev)
    dev.add_argument("--seed", action="store_true", help="load the demo data of seed/ after start")
    dev.add_argument("--keep-data", type=Path, metavar="DIR",
                     help="import Firestore/Storage data from DIR at start and export it there on exit")
    dev.set_defaults(command=dev_command)

    demo = commands.add_parser("demo", help="play the scripted demo day against a fresh stack")
    _stack_options(demo)
    demo.add_argument("--keep-running", action="store_true", help="leave the stack up after the demo")
    demo.set_defaults(command=demo_command, keep_data=None)

    run = commands.add_parser("run-schedule", help="run a scheduled function of a running stack now")
    run.add_argument("name")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--functions-port", type=int, default=5001)
    run.set_defaults(command=run_schedule_command)

    sent = commands.add_parser("messages", help="list the pushes, SMS and e-mails a running stack sent")
    sent.add_argument("--host", default="127.0.0.1")
    sent.add_argument("--functions-port", type=int, default=5001)
    sent.set_defaults(command=messages_command)

    token = commands.add_parser("token", help="print an unsigned emulator ID token")
    token.add_argument("uid")
    token.add_argument("--claim", action="append", default=[], metavar="KEY=JSON",
                       help="custom claim, e.g. --claim admin=true")
    token.set_defaults(command=token_command)
    return root


def _stack_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--host", default="127.0.0.1", help="listen address (0.0.0.0 to reach it from a phone)")
    command.add_argument("--firestore-port", type=int, default=8080)
    command.add_argument("--functions-port", type=int, default=5001)
    command.add_argument("--storage-port", type=int, default=9199)
    command.add_argument("--hosting-port", type=int, default=5000, help="hosting/ and the admin console (dev only)")
    command.add_argument("--functions-dir", type=Path, default=FUNCTIONS_DIR)
    command.add_argument("--rules", type=Path, default=RULES)
    command.add_argument("--auth-emulator", metavar="HOST:PORT",
                         help="a running firebase-tools Auth emulator for the functions' Auth Admin calls")
    command.add_argument("--background-check-result", choices=("clear", "consider"), default="clear",
                         help="what the local background-check provider answers (default: clear)")
    command.add_argument("--background-check-delay", type=float, default=2.0, metavar="SECONDS",
                         help="how long the local provider takes to complete a report (default: 2)")
    command.add_argument("--background-check-port", type=int, default=0,
                         help="the local background-check provider's port (default: any free one)")


def _stack(args: argparse.Namespace) -> LocalStack:
    return LocalStack(args.functions_dir, args.rules, host=args.host, keep_data=args.keep_data,
                      clock=ShiftedClock() if args.command is demo_command else None,
                      auth_emulator=args.auth_emulator, stripe=args.command in (dev_command, demo_command),
                      background_checks=args.command in (dev_command, demo_command),
                      background_check_result=args.background_check_result,
                      background_check_delay_s=args.background_check_delay, hosting=args.command is dev_command,
                      ports=Ports(args.firestore_port, args.functions_port, args.storage_port,
                                  background_checks=args.background_check_port, hosting=args.hosting_port))


@contextmanager
def running(stack: LocalStack) -> Iterator[LocalStack]:
    """Start the stack; on Ctrl-C or SIGTERM (even during start) stop it fully, ignoring further signals
    while it stops so an impatient second Ctrl-C cannot leave the JVM behind. Ctrl-C is honoured even when
    the shell started us with SIGINT ignored (a background job of a script)."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield stack.start()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            stack.stop()
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, previous)


def dev_command(args: argparse.Namespace) -> int:
    _configure_logging()
    stack = _stack(args)
    stack.activity.subscribe(_print_invocation)
    try:
        with running(stack):
            if args.seed:
                print(_seed(stack), flush=True)
            print(banner(stack), flush=True)
            _wait_for_interrupt()
    except KeyboardInterrupt:
        pass
    except (EmulatorUnavailable, LoadError) as exc:
        print(f"devstack: {exc}", file=sys.stderr)
        return 2
    print("devstack: stopped; nothing left running.", flush=True)
    return 0


def demo_command(args: argparse.Namespace) -> int:
    """The functions' own logs go to a file, so the timeline stays readable."""
    _configure_logging(quiet=True)
    out = sys.stdout
    log_path = Path(tempfile.gettempdir()) / "curbside-demo-functions.log"
    stack = _stack(args)
    with log_path.open("w") as function_log, contextlib.redirect_stdout(function_log):
        try:
            with running(stack):
                print(f"devstack: stack up (Firestore {stack.firestore_url}, functions {stack.functions_url})",
                      file=out, flush=True)
                print(_seed(stack), file=out, flush=True)
                stack.activity.wait_quiet()
                result = run_demo(stack, out)
                print(f"\nThe functions' logs: {log_path}", file=out, flush=True)
                if args.keep_running:
                    print(banner(stack), file=out, flush=True)
                    _wait_for_interrupt()
        except KeyboardInterrupt:
            return 130
        except (EmulatorUnavailable, LoadError) as exc:
            print(f"devstack: {exc}", file=sys.stderr)
            return 2
    print("devstack: stack stopped.", flush=True)
    return 0 if result.ok else 1


def run_schedule_command(args: argparse.Namespace) -> int:
    url = f"http://{args.host}:{args.functions_port}/__devstack/schedules/{args.name}"
    try:
        response = requests.post(url, timeout=600)
    except requests.ConnectionError:
        print(f"devstack: no stack answers on {args.host}:{args.functions_port}; start one with "
              "`python -m devstack dev`.", file=sys.stderr)
        return 2
    body = response.json()
    if response.status_code != 200:
        print(f"devstack: {body.get('error', body)}", file=sys.stderr)
        return 1
    status = int(body["status"])
    print(f"{args.name}: HTTP {status}")
    return 0 if 200 <= status < 300 else 1


def messages_command(args: argparse.Namespace) -> int:
    try:
        response = requests.get(f"http://{args.host}:{args.functions_port}/__devstack/messages", timeout=10)
    except requests.ConnectionError:
        print(f"devstack: no stack answers on {args.host}:{args.functions_port}; start one with "
              "`python -m devstack dev`.", file=sys.stderr)
        return 2
    print(format_messages(response.json()))
    return 0


def format_messages(sent: dict[str, list[dict[str, Any]]]) -> str:
    """One line per message, by channel: what a developer checks after a day on the stack."""
    lines = []
    for item in sent.get("push", []):
        lines.append(f"push   {item['at'][11:19]}  {item['title']}: {item['body']} ({item['devices']} device(s), "
                     f"opens {item['data'].get('screen')})")
    for item in sent.get("sms", []):
        lines.append(f"sms    {item['at'][11:19]}  to {item['to']}: {item['body']}")
    for item in sent.get("email", []):
        lines.append(f"email  {item['at'][11:19]}  to {', '.join(item['to'])}: {item['subject']}")
    for item in sent.get("messenger", []):
        lines.append(f"fb     {item['at'][11:19]}  to {item['to']}: {item['text'].splitlines()[0]}")
    return "\n".join(lines) if lines else "No push, SMS, e-mail or Messenger reply was sent yet."


def token_command(args: argparse.Namespace) -> int:
    claims = {}
    for claim in args.claim:
        key, _, value = claim.partition("=")
        claims[key] = json.loads(value) if value else True
    print(emulator_id_token(args.uid, claims))
    return 0


def _seed(stack: LocalStack) -> str:
    """Load seed/'s demo world in-process (it refuses anything but this emulator); returns its report."""
    from seed import seed_firestore
    from seed.__main__ import summary

    return summary(seed_firestore(stack.admin_db(), now=stack.clock.now()))


def _wait_for_interrupt() -> None:
    while True:
        time.sleep(1)


def _configure_logging(quiet: bool = False) -> None:
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("gcp_storage_emulator").setLevel(logging.WARNING)


def _print_invocation(item: Invocation) -> None:
    print(f"  {item.line()}", flush=True)


def banner(stack: LocalStack) -> str:
    """The endpoints, the functions, and how to point the apps and tools at them."""
    host, ports = stack.host, stack.ports
    lines = [
        "",
        f"Curbside local stack — project {stack.project}",
        f"  Firestore  {host}:{ports.firestore}  (rules: {stack.rules})",
        f"  Functions  {stack.functions_url}/{stack.project}/{{region}}/{{name}}",
        f"  Storage    {stack.storage_url}  (bucket {DEFAULT_BUCKET})",
        f"  Tasks      Cloud Tasks API on {host}:{ports.functions} (CLOUD_TASKS_EMULATOR_HOST)",
        *([f"  Hosting    {stack.hosting_url}/  (admin console: {stack.hosting_url}/admin/, development "
           "sign-in as the seed's admin-001)"] if stack.with_hosting else []),
        *([f"  Checks     background-check provider {stack.background_checks_url} (answers "
           f"{stack.background_check_result}; POST /_curbside/config {{\"result\": \"consider\"}} to switch)"]
          if stack.with_background_checks else []),
        "",
        "Functions:",
    ]
    for fn in sorted(stack.functions, key=lambda fn: (fn.kind.value, fn.name)):
        lines.append(f"  {fn.kind.value:<9} {fn.name:<28} {_describe(stack, fn.name)}")
    lines += [
        "",
        "Point the apps at it (FlutterFlow custom code / Flutter, before runApp):",
        f"  FirebaseFirestore.instance.useFirestoreEmulator('{host}', {ports.firestore});",
        f"  FirebaseFunctions.instance.useFunctionsEmulator('{host}', {ports.functions});",
        f"  await FirebaseStorage.instance.useStorageEmulator('{host}', {ports.storage});",
        "  (Android emulator: 10.0.2.2 instead of 127.0.0.1; a phone: start with --host 0.0.0.0, use this "
        "machine's IP.)",
        f"Web JS SDK: connectFirestoreEmulator(db, '{host}', {ports.firestore}); "
        f"connectFunctionsEmulator(functions, '{host}', {ports.functions}); "
        f"connectStorageEmulator(storage, '{host}', {ports.storage});",
        "Scripts / Admin SDK: " + " ".join(f"{key}={value}" for key, value in sorted(stack.environ().items())
                                          if key in ("FIRESTORE_EMULATOR_HOST", "GCLOUD_PROJECT",
                                                     "STORAGE_EMULATOR_HOST", "CLOUD_TASKS_EMULATOR_HOST")),
        "Signing in: no Auth emulator runs here. Unsigned emulator ID tokens are accepted (as by the Firebase",
        "  emulators): `python -m devstack token alice [--claim admin=true]`; or run firebase-tools' Auth emulator",
        "  (useAuthEmulator) for project demo-curbside and pass --auth-emulator HOST:PORT.",
        f"  curl -H \"Authorization: Bearer $(python -m devstack token alice)\" -H 'Content-Type: application/json' "
        f"-d '{{\"data\": {{}}}}' {stack.functions_url}/{stack.project}/us-central1/NAME",
        "Run a schedule now: python -m devstack run-schedule NAME"
        + (f" --functions-port {ports.functions}" if ports.functions != 5001 else ""),
        "Pushes, SMS and e-mails sent (FCM and Twilio are recorded, e-mail goes to a local SMTP server on port "
        f"{ports.smtp}): python -m devstack messages"
        + (f" --functions-port {ports.functions}" if ports.functions != 5001 else ""),
        "Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


def _describe(stack: LocalStack, name: str) -> str:
    fn = stack.functions.get(name)
    assert fn is not None
    if fn.served_over_http:
        return stack.function_url(name)
    if fn.kind in (Kind.FIRESTORE, Kind.STORAGE):
        trigger = fn.event_trigger
        filters = {**(trigger.get("eventFilters") or {}), **(trigger.get("eventFilterPathPatterns") or {})}
        target = filters.get("document") or f"bucket {resolve(filters.get('bucket'))}"
        return f"{trigger['eventType'].rsplit('.', 1)[-1]} {target}"
    if fn.kind is Kind.SCHEDULE:
        job = stack.scheduler.jobs[name]
        return f"{fn.schedule_trigger.get('schedule')}, next {job.next_run:%Y-%m-%d %H:%M} UTC"
    return "(not emulated by the local stack)"


if __name__ == "__main__":
    sys.exit(main())
