"""`serve` end to end: start on a free port, fetch a page, edit a sheet, see the change, break it, stop."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from site_builder.commands.serve import SCRIPT_PATH, PreviewHandler, State, bind, inject
from site_builder.errors import BuildError


class Server:
    def __init__(self, project, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "site_builder", "serve", *args],
            cwd=project.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 90) -> re.Match:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.proc.poll() is None, "\n".join(self.log)
                continue
            self.log.append(line)
            m = re.search(pattern, line)
            if m:
                return m
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.log))

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.reader.join(timeout=10)
            while not self.lines.empty():
                self.log.append(self.lines.get())


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def test_serve_builds_serves_rebuilds_shows_errors_and_stops(clean):
    server = Server(clean, "--port", "0", "--jobs", "1")
    try:
        url = server.wait_for(r"预览地址：(http://127\.0\.0\.1:\d+/)").group(1)
        page_url = url + "2023/institutions/P05/index.html"
        status, page = get(page_url)
        assert status == 200
        assert f'<script src="{SCRIPT_PATH}?g=1"></script></body>' in page  # reload script in the response …
        on_disk = clean.read("output/2023/institutions/P05/index.html")
        assert "__serve" not in on_disk and '<script src="/__serve' not in on_disk  # … never in the built file
        assert "复核：缺少一份签到表" not in page
        assert get(url + "__serve/status")[1] == json.dumps({"generation": 1, "error": None})

        clean.edit("scores/2023/P05.yaml", "  1-01: 1\n", "  1-01: {score: 0, reason: 复核：缺少一份签到表}\n")
        server.wait_for(r"检测到改动：scores/2023/P05\.yaml")
        server.wait_for(r"已重新生成，打开的页面会自动刷新")
        changed = get(page_url)[1]
        assert "复核：缺少一份签到表" in changed and f"{SCRIPT_PATH}?g=2" in changed
        assert "复核：缺少一份签到表" in clean.read("output/2023/institutions/P05/index.html")

        clean.edit("scores/2023/P05.yaml", "  1-02: 1\n", "  1-02:1\n")  # a YAML mistake
        server.wait_for(r"生成失败；预览中继续显示上一次成功生成的网站")
        state = json.loads(get(url + "__serve/status")[1])
        assert state["generation"] == 3
        assert "scores/2023/P05.yaml" in state["error"] and "冒号后要有空格" in state["error"]
        status, still = get(page_url)  # the last good site is still served
        assert status == 200 and "复核：缺少一份签到表" in still
        assert any("冒号后要有空格" in line for line in server.log)  # and the terminal shows the error
        script = get(url + SCRIPT_PATH.lstrip("/"))[1]
        assert "location.reload()" in script and "生成失败" in script
    finally:
        code = server.stop()
    log = "\n".join(server.log)
    assert code == 0, log
    assert log.endswith("已停止预览。")
    assert "Traceback" not in log


def test_inject_only_adds_the_script_before_body():
    assert inject(b"<html><body><p>x</p></body></html>", 4) == (
        b'<html><body><p>x</p><script src="/__serve/reload.js?g=4"></script></body></html>'
    )
    assert inject(b"<p>fragment</p>", 1).endswith(b'<script src="/__serve/reload.js?g=1"></script>')


def test_binds_to_localhost_only_and_a_busy_port_is_a_clear_error(tmp_path):
    first = bind(0, lambda *a: PreviewHandler(*a, state=State(), directory=str(tmp_path)))
    try:
        host, port = first.server_address
        assert host == "127.0.0.1"
        with pytest.raises(BuildError) as err:
            bind(port, PreviewHandler)
        assert str(err.value) == (
            f"端口 {port} 已被占用（也许另一个预览还开着）；用 --port 换一个端口，"
            f"如 --port {port + 1}，或用 --port 0 自动选一个空闲端口"
        )
    finally:
        first.server_close()


def test_sigterm_stops_it_cleanly_too(project):
    server = Server(project, "--port", "0", "--jobs", "1")
    try:
        server.wait_for(r"预览地址：")
    finally:
        code = server.stop(signal.SIGTERM)
    assert code == 0 and server.log[-1] == "已停止预览。", server.log
