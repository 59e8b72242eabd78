"""Work spread over forked processes: a function over many items (`map_forked`) and one job in the
background (`Forked`).

The processes are forked, so they inherit everything already in memory (the loaded data, the
function itself, closures included): nothing is pickled on the way in, and no module keeps the work
for them to find. Only results travel back. A failure in a process comes back as a BuildError,
never as a traceback.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Generator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.sharedctypes import Synchronized
from typing import TypeVar

from site_builder.errors import BuildError

T = TypeVar("T")
R = TypeVar("R")

DIED = "生成进程意外退出"
PR_SET_PDEATHSIG = 1  # linux/prctl.h
WORKER_GC_THRESHOLDS = (10_000, 20, 50)


def detach_child(parent: int) -> None:
    """In a forked worker, first thing: die with the parent, hold none of its locks, and leave what
    it inherited out of the garbage collector's work.

    A parent killed (kill -9) must not leave a worker behind, blocked on writing to a pipe nobody
    reads and keeping the output folder's lock for ever: on Linux the kernel kills the worker when
    its parent dies (PR_SET_PDEATHSIG), elsewhere a watchdog thread ends it once its parent is gone.
    A lock held by the parent (a flock, shared by fork) is closed in the worker: it is released
    when the parent ends, whatever the worker does."""
    if not _die_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the worker could ask to die with it
        os._exit(1)
    _close_inherited_locks()
    # What the parent made (the data, the statistics, the compiled templates) is the worker's to read:
    # out of the garbage collector's way, which then runs every 10,000 allocations, not 700 (a worker's
    # CPU at 2,000 institutions -10 %, issue 27)
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def _die_with_parent() -> bool:
    try:
        # the symbols already loaded (libc's among them): no `find_library`, which runs ldconfig in
        # every worker (7 ms a process)
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):  # not Linux: no prctl
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _close_inherited_locks() -> None:
    """Close every descriptor that holds a file lock (Linux lists them in /proc/self/fdinfo)."""
    try:
        fds = os.listdir("/proc/self/fdinfo")
    except OSError:
        return
    for name in fds:
        try:
            with open(f"/proc/self/fdinfo/{name}", encoding="ascii", errors="replace") as info:
                locked = any(line.startswith("lock:") for line in info)
        except OSError:
            continue  # the descriptor used to list the folder, closed since
        if locked and int(name) > 2:
            os.close(int(name))


def map_forked(
    fn: Callable[[T], R], items: Sequence[T], workers: int, min_items: int = 32, chunk: int = 16
) -> Generator[R, None, None]:
    """fn(item) for every item, in order: in `workers` forked processes when there are enough items.
    Each process takes the next `chunk` items when it is free; results are given back in order."""
    if workers <= 1 or len(items) < min_items:
        for item in items:
            yield fn(item)
        return
    ctx = multiprocessing.get_context("fork")
    chunks = -(-len(items) // chunk)
    claimed = ctx.Value("l", 0)  # the next chunk to take, shared by the processes
    receivers: list[Connection] = []
    processes = []
    for _ in range(min(workers, chunks)):
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_serve, args=(fn, items, chunk, chunks, claimed, send, os.getpid()), daemon=True)
        process.start()
        send.close()
        receivers.append(receive)
        processes.append(process)
    done: dict[int, list[R]] = {}
    finished = False
    try:
        for number in range(chunks):
            while number not in done:
                for ready in wait(receivers):
                    assert isinstance(ready, Connection)
                    try:
                        status, index, payload = ready.recv()
                    except EOFError:  # a process that has sent every chunk it took, or one that died
                        receivers.remove(ready)
                        if not receivers and number not in done:
                            raise BuildError(DIED) from None
                        continue
                    if status != "ok":
                        raise payload
                    done[index] = payload
            yield from done.pop(number)
        finished = True
    finally:
        for process in processes:
            if not finished and process.is_alive():
                process.terminate()  # the build failed or stopped: the rest of the work is not wanted
            process.join()
        for receive in receivers:
            receive.close()


def _serve(
    fn: Callable[[T], R],
    items: Sequence[T],
    chunk: int,
    chunks: int,
    claimed: Synchronized[int],
    send: Connection,
    parent: int,
) -> None:
    """A forked process: the next chunk not taken, until none is left; each chunk's results sent back."""
    detach_child(parent)
    try:
        while True:
            with claimed.get_lock():
                index = claimed.value
                claimed.value += 1
            if index >= chunks:
                return
            try:
                results = [fn(item) for item in items[index * chunk : (index + 1) * chunk]]
            except Exception as exc:  # noqa: BLE001 - any failure is sent to the parent, which raises it
                _send_failure(send, index, exc)
                return
            send.send(("ok", index, results))
    finally:
        send.close()


def _send_failure(send: Connection, index: int, exc: Exception) -> None:
    try:
        send.send(("error", index, exc))
    except Exception:  # noqa: BLE001 - an exception that cannot be pickled: its message, as a build error
        send.send(("error", index, BuildError(str(exc))))


class Forked:
    """One file produced in a forked child (which inherits the loaded data); only its bytes come back.
    With `as_raised`, a BuildError in the child is raised by `result` with its own message, as if the
    file had been made in this process (any other failure: "生成 … 失败：…")."""

    def __init__(self, produce: Callable[[], str | bytes], as_raised: bool = False):
        ctx = multiprocessing.get_context("fork")
        self.receive, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=Forked._run, args=(produce, send, os.getpid(), as_raised), daemon=True)
        self.process.start()
        send.close()

    @staticmethod
    def _run(produce: Callable[[], str | bytes], send: Connection, parent: int, as_raised: bool = False) -> None:
        detach_child(parent)
        try:
            data = produce()
            send.send_bytes(b"\x01" + (data.encode("utf-8") if isinstance(data, str) else data))
        except BuildError as exc:
            send.send_bytes((b"\x02" if as_raised else b"\x00") + str(exc).encode("utf-8"))
        except Exception as exc:  # noqa: BLE001 - any failure in the worker is reported by the parent as a build error, never as a traceback
            send.send_bytes(b"\x00" + str(exc).encode("utf-8"))
        finally:
            send.close()

    def result(self, rel: str) -> bytes:
        try:
            raw = self.receive.recv_bytes()
        except EOFError:
            raw = b"\x00" + DIED.encode()
        self.process.join()
        if raw[:1] == b"\x02":
            raise BuildError(raw[1:].decode("utf-8"))
        if raw[:1] != b"\x01":
            raise BuildError(f"生成 {rel} 失败：{raw[1:].decode('utf-8')}")
        return raw[1:]
