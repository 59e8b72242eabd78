"""A build killed with kill -9 leaves no worker behind: its forked workers die with it and never
hold the output folder's lock, so the next build runs at once (attack report, point 10)."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.project import copy_project

from site_builder.common.processes import map_forked

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _processes_of(out: Path) -> list[int]:
    """Every process whose command line names `out` (a build and the workers it forked)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if str(out).encode() in cmdline and state != "Z":
                found.append(int(entry.name))
    return found


def _children(pid: int) -> list[int]:
    return [p for p in _processes_of_any() if _ppid(p) == pid]


def _processes_of_any() -> list[int]:
    return [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()]


def _ppid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def test_killing_a_parallel_build_leaves_no_worker_and_no_lock(tmp_path):
    project = copy_project(tmp_path / "p")
    out = tmp_path / "o5"
    command = [sys.executable, "-m", "site_builder", "build", "--jobs", "2", "--no-cache", "--out", str(out)]
    first = subprocess.Popen(command, cwd=project.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not _children(first.pid):  # mid-render: its workers are started
            assert first.poll() is None, "the build ended before it started a worker"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait()
        deadline = time.monotonic() + 5
        while _processes_of(out) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = _processes_of(out)
        assert left == [], f"processes of the killed build still running: {left}"
        second = subprocess.run(
            command[:4] + ["--out", str(out)], cwd=project.root, capture_output=True, text=True, timeout=120
        )
        assert second.returncode == 0, second.stderr
        assert "另一个生成过程" not in second.stderr
    finally:
        for pid in _processes_of(out):
            os.kill(pid, signal.SIGKILL)  # only processes of this test's own build (their command names out)


def _holds_lock(_item: int) -> bool:
    """In a worker: is any descriptor of it holding a file lock?"""
    for name in os.listdir("/proc/self/fdinfo"):
        try:
            if "lock:" in Path(f"/proc/self/fdinfo/{name}").read_text():
                return True
        except OSError:
            continue
    return False


def test_a_worker_holds_none_of_the_parents_locks(tmp_path):
    fd = os.open(tmp_path / "lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert _holds_lock(0)
        assert not any(map_forked(_holds_lock, list(range(64)), workers=2, chunk=8))
        assert _holds_lock(0)  # the parent keeps its lock
    finally:
        os.close(fd)
