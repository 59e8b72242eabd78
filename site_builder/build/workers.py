"""Worker processes and the progress line: how the build spreads work over the cores.

Workers are forked, so they inherit the loaded data; only bytes travel back. A failure in a worker
comes back as a BuildError, never as a traceback.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator, Sequence

from site_builder.errors import BuildError

_POOL_STATE: tuple | None = None  # (function, items): what forked pool workers inherit


def _call(index: int) -> bytes:
    fn, items = _POOL_STATE
    return fn(items[index])


def map_forked(fn: Callable[[object], bytes], items: Sequence, workers: int, min_items: int = 32) -> Iterator[bytes]:
    """fn(item) for every item, in order: in `workers` forked processes when there are enough items."""
    if workers <= 1 or len(items) < min_items:
        for item in items:
            yield fn(item)
        return
    global _POOL_STATE
    _POOL_STATE = (fn, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_call, range(len(items)), chunksize=16)
    finally:
        _POOL_STATE = None


class Forked:
    """One file produced in a forked child (which inherits the loaded data); only its bytes come back."""

    def __init__(self, produce: Callable[[], str | bytes]):
        ctx = multiprocessing.get_context("fork")
        self.receive, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=Forked._run, args=(produce, send), daemon=True)
        self.process.start()
        send.close()

    @staticmethod
    def _run(produce, send) -> None:
        try:
            data = produce()
            send.send_bytes(b"\x01" + (data.encode("utf-8") if isinstance(data, str) else data))
        except Exception as exc:  # noqa: BLE001 - any failure in the worker is reported by the parent as a build error, never as a traceback
            send.send_bytes(b"\x00" + str(exc).encode("utf-8"))
        finally:
            send.close()

    def result(self, rel: str) -> bytes:
        try:
            raw = self.receive.recv_bytes()
        except EOFError:
            raw = b"\x00" + "生成进程意外退出".encode()
        self.process.join()
        if raw[:1] != b"\x01":
            raise BuildError(f"生成 {rel} 失败：{raw[1:].decode('utf-8')}")
        return raw[1:]


class Progress:
    """A progress line on stderr for long builds on a terminal; silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.enabled_now = False
        self.total = self.count = 0

    def start(self, total: int) -> None:
        self.total, self.count = total, 0
        self.enabled_now = self.enabled and total >= 200

    def step(self) -> None:
        self.count += 1
        if self.enabled_now and (self.count % 50 == 0 or self.count == self.total):
            width = 30
            filled = width * self.count // self.total
            sys.stderr.write(f"\r渲染机构页 [{'#' * filled}{'.' * (width - filled)}] {self.count}/{self.total}")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled_now:
            sys.stderr.write("\n")
