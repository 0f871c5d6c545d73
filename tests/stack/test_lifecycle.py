"""Starting and stopping the stack leaves nothing behind; data survives restarts only when asked."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import requests
from google.auth.credentials import AnonymousCredentials
from google.cloud.storage import Client as StorageClient

from devstack.emulators import DEFAULT_BUCKET, LISTEN_PORTS, EmulatorUnavailable, free_port, port_in_use
from devstack.stack import LocalStack, Ports
from tests.stack.helpers import SAMPLE_FUNCTIONS, child_processes, emulator_processes

STACK_VARIABLES = ("FIRESTORE_EMULATOR_HOST", "STORAGE_EMULATOR_HOST", "CLOUD_TASKS_EMULATOR_HOST",
                   "FIREBASE_AUTH_EMULATOR_HOST", "FUNCTIONS_EMULATOR", "FIREBASE_CONFIG")


def environment() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in STACK_VARIABLES}


def test_ten_starts_and_stops_leave_no_process_no_port_and_no_variable_behind():
    # given three fixed ports, reused by every run
    ports = Ports(free_port(), free_port(), free_port())
    children_before, env_before = set(child_processes()), environment()

    for run in range(10):
        # when the stack starts, answers, and stops
        with LocalStack(SAMPLE_FUNCTIONS, ports=Ports(ports.firestore, ports.functions, ports.storage)) as stack:
            assert requests.get(f"{stack.functions_url}/__devstack/health", timeout=5).json()["status"] == "ok"
            assert emulator_processes(ports.firestore), f"run {run}: no emulator JVM on {ports.firestore}"
            # without keep_data each run starts empty
            assert not stack.admin_db().document("Notes/n1").get().exists, f"run {run}: data survived"
            stack.admin_db().document("Notes/n1").set({"run": run})

        # then every port is free, the JVM is gone and the environment is as before
        busy = [port for port in (ports.firestore, ports.functions, ports.storage) if port_in_use(port)]
        assert busy == [], f"run {run}: ports still in use {busy}"
        assert emulator_processes(ports.firestore) == [], f"run {run}: emulator JVM left running"
        assert set(child_processes()) <= children_before, f"run {run}: child process left running"
        assert environment() == env_before


def test_free_ports_are_chosen_where_no_outgoing_connection_can_take_them_first():
    # Linux hands outgoing connections ports from ip_local_port_range; under a parallel test run, thousands of
    # them could take a chosen port before the emulator binds it
    low, _high = (int(part) for part in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    chosen = [free_port() for _ in range(20)]

    assert all(port in LISTEN_PORTS and port < low for port in chosen)
    assert not any(port_in_use(port) for port in chosen)
    assert len(set(chosen)) > 1, "spread at random, so that parallel workers rarely choose alike"


def test_a_port_in_use_is_refused_before_anything_starts():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        children_before = set(child_processes())

        stack = LocalStack(SAMPLE_FUNCTIONS, ports=Ports(0, taken, 0))
        with pytest.raises(EmulatorUnavailable, match=f"functions {taken}"):
            stack.start()

        assert set(child_processes()) <= children_before


def test_with_keep_data_documents_and_files_survive_a_restart(tmp_path: Path):
    ports = Ports(0, 0, 0)
    with LocalStack(SAMPLE_FUNCTIONS, ports=ports, keep_data=tmp_path) as stack:
        stack.admin_db().document("Notes/n1").set({"text": "kept"})
        files = StorageClient(project=stack.project, credentials=AnonymousCredentials())
        files.bucket(DEFAULT_BUCKET).blob("users/alice/car.jpg").upload_from_string(b"jpeg", "image/jpeg")

    with LocalStack(SAMPLE_FUNCTIONS, ports=Ports(0, 0, 0), keep_data=tmp_path) as stack:
        note = stack.admin_db().document("Notes/n1").get().to_dict()
        files = StorageClient(project=stack.project, credentials=AnonymousCredentials())
        photo = files.bucket(DEFAULT_BUCKET).blob("users/alice/car.jpg").download_as_bytes()

    assert note == {"text": "kept"} and photo == b"jpeg"
