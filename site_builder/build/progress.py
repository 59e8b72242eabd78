"""The progress line: a long build on a terminal shows how far the institution pages are."""

from __future__ import annotations

import sys


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
