"""`serve`: a local preview of the site that rebuilds itself when the data changes.

Builds once, then serves the output folder on 127.0.0.1 only (the standard library's http.server)
and polls the modification times of the data, content and templates. After a change it builds again
(the normal `build`, in a child process, so the preview shows exactly what `build` writes). Pages
served by the preview get a small script that reloads them after a rebuild and shows a failed
build's messages over the page; the script is added to the HTTP response only, never to the files.
A failed build keeps the previous output (the build's own guarantee), so the last good site stays up.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from site_builder.build.layout import Layout
from site_builder.errors import BuildError

STATUS_PATH = "/__serve/status"
SCRIPT_PATH = "/__serve/reload.js"
POLL_SECONDS = 0.5
IDLE_SECONDS = 10  # a connection that sends nothing for this long is closed (its thread ends)
REQUEST_SECONDS = 10  # a whole request, however slowly it trickles in, is cut off after this long
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
"""The only `Host` names the preview answers (with its port): a page of another name that resolves
to this machine (DNS rebinding) must not read unpublished results."""

ERROR_TEXTS = {
    400: ("请求无法识别", "浏览器发来的请求格式不对。请检查地址后重试。"),
    403: ("不允许访问", "预览不列出目录内容，也不提供网站以外的文件。"),
    404: ("找不到这个页面", "网站中没有这个地址。请检查地址，或从首页进入。"),
    421: (
        "只接受本机地址",
        "预览只回答用 localhost、127.0.0.1 或 [::1] 加端口号访问的请求（例如 http://127.0.0.1:端口/），"
        "以免其他网页读取尚未发布的结果。",
    ),
    501: ("不支持这种请求", "预览只用于查看页面（GET、HEAD）。"),
}
SETTLE_SECONDS = 0.3

RELOAD_JS = f"""\
(function () {{
  var me = document.currentScript, seen = Number(new URL(me.src).searchParams.get("g"));
  function show(error) {{
    var box = document.getElementById("site-builder-serve-error");
    if (!error) {{ if (box) box.remove(); return; }}
    if (!box) {{
      box = document.createElement("pre");
      box.id = "site-builder-serve-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;margin:0;" +
        "padding:1em;background:#fff4f4;color:#7a1010;border-top:4px solid #b42318;z-index:2147483647;" +
        "white-space:pre-wrap;font:15px/1.6 monospace;text-align:left";
      document.body.appendChild(box);
    }}
    box.textContent = "生成失败（预览中显示的是上一次成功生成的网站）：\\n\\n" + error;
  }}
  function poll() {{
    fetch("{STATUS_PATH}", {{cache: "no-store"}}).then(function (r) {{ return r.json(); }}).then(function (s) {{
      if (s.generation !== seen) {{ location.reload(); return; }}
      show(s.error);
      setTimeout(poll, 1000);
    }}).catch(function () {{ setTimeout(poll, 2000); }});
  }}
  poll();
}})();
"""


@dataclass
class State:
    """What the preview knows: how many builds have finished (pages reload when it changes) and the
    last build's error, if it failed."""

    generation: int = 0
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def finished(self, error: str | None) -> None:
        with self.lock:
            self.generation += 1
            self.error = error

    def snapshot(self) -> tuple[int, str | None]:
        with self.lock:
            return self.generation, self.error


def inject(html: bytes, generation: int) -> bytes:
    """The page with the reload script before </body> (served responses only)."""
    tag = f'<script src="{SCRIPT_PATH}?g={generation}"></script>'.encode()
    at = html.rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


def host_allowed(host: str | None, port: int) -> bool:
    """Is `host` (the request's `Host` header) this preview's own local address with its port?
    (The port may be left out only where it is HTTP's default, 80.)"""
    if host is None:
        return False
    allowed = {f"{name}:{port}" for name in LOCAL_HOSTS}
    if port == 80:
        allowed |= set(LOCAL_HOSTS)
    return host.strip().lower() in allowed


def error_page(code: int) -> bytes:
    """The preview's page for an error, in Chinese."""
    title, text = ERROR_TEXTS.get(code, ("请求未能完成", "请检查地址后重试。"))
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{code} {escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1><p>{escape(text)}</p><p>（本地预览，错误代码 {code}）</p></body></html>"
    ).encode()


class PreviewHandler(SimpleHTTPRequestHandler):
    state: State
    timeout = IDLE_SECONDS  # the socket's timeout: an idle connection is closed, not kept forever

    request_seconds = REQUEST_SECONDS  # a deadline for each request as a whole, not only between its bytes
    cut_off = False

    def __init__(self, *args, state: State, **kwargs) -> None:
        self.state = state
        super().__init__(*args, **kwargs)

    def handle_one_request(self) -> None:
        """One request under a total deadline: a client that sends a byte now and then (each within
        the idle timeout) is cut off all the same, and its thread ends."""
        timer = threading.Timer(self.request_seconds, self._cut_off)
        timer.daemon = True
        timer.start()
        try:
            super().handle_one_request()
        except OSError:
            if not self.cut_off:
                raise
            self.close_connection = True  # answering the request we cut off fails: nothing to say
        finally:
            timer.cancel()

    def _cut_off(self) -> None:
        self.cut_off = True
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        pass  # the terminal shows builds, not every request

    def parse_request(self) -> bool:
        """Every request, whatever its method: refused (421) unless its `Host` is the preview's own."""
        if not super().parse_request():
            return False
        address = self.server.server_address
        port = int(address[1]) if isinstance(address, tuple) else 0
        if not host_allowed(self.headers.get("Host"), port):
            self.send_error(421)
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Every error (http.server's own included) as a Chinese page; the connection then closed."""
        self.close_connection = True
        self.send_response(code)  # the status line's standard phrase; the page says it in Chinese
        body = error_page(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def list_directory(self, path):  # noqa: ANN001, ANN201 - http.server's signature
        """No directory listings: a folder without index.html is a 404 page."""
        self.send_error(404)
        return None

    def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = urlsplit(self.path).path
        generation, error = self.state.snapshot()
        if path == STATUS_PATH:
            self._send(
                json.dumps({"generation": generation, "error": error}, ensure_ascii=False).encode(),
                "application/json; charset=utf-8",
            )
            return
        if path == SCRIPT_PATH:
            self._send(RELOAD_JS.encode(), "text/javascript; charset=utf-8")
            return
        local = Path(self.translate_path(self.path))
        if local.is_dir() and path.endswith("/"):
            local = local / "index.html"
        if local.suffix == ".html" and local.is_file():
            try:
                body = local.read_bytes()
            except OSError:  # swapped out by a rebuild at this very moment
                body = None
            if body is not None:
                self._send(inject(body, generation), "text/html; charset=utf-8")
                return
        if error is not None and not local.exists() and (local.suffix == ".html" or path.endswith("/")):
            self._send(inject(_error_page(error), generation), "text/html; charset=utf-8")
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def _error_page(error: str) -> bytes:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>生成失败</title></head>'
        "<body><h1>网站还没有成功生成过</h1><p>改正下面的问题并保存后，本页会自动刷新。</p>"
        f'<pre style="white-space:pre-wrap">{escape(error)}</pre></body></html>'
    ).encode()


def watched_folders(layout: Layout) -> list[Path]:
    return [layout.scores, layout.rubric, layout.content, layout.templates]


def snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    """{file: (mtime_ns, size)} of every file under the folders; editors' hidden and backup files left out."""
    out: dict[str, tuple[int, int]] = {}
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                if name.startswith((".", "~")) or name.endswith(("~", ".swp", ".tmp")):
                    continue
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                out[path] = (st.st_mtime_ns, st.st_size)
    return out


def changed_files(before: dict, after: dict) -> list[str]:
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


def build_command(options: list[str], jobs: int) -> list[str]:
    """`build` with the data options the user gave `serve` (so that its messages name those options)."""
    return [sys.executable, "-m", "site_builder", "build", *options, "--jobs", str(jobs)]


def _say(text: str) -> None:
    print(text, flush=True)


def _now() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")  # terminal only, never in the output


def run_build(options: list[str], jobs: int, state: State) -> bool:
    """One build, in a child process; its messages go to the terminal and, on failure, to the pages."""
    proc = subprocess.run(build_command(options, jobs), capture_output=True, text=True, encoding="utf-8")
    for line in (proc.stdout + proc.stderr).rstrip().splitlines():
        _say(f"  {line}")
    if proc.returncode == 0:
        state.finished(None)
        return True
    state.finished((proc.stderr or proc.stdout).strip() or f"生成失败（退出码 {proc.returncode}）")
    return False


def bind(port: int, handler) -> ThreadingHTTPServer:  # noqa: ANN001
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise BuildError(
                f"端口 {port} 已被占用（也许另一个预览还开着）；用 --port 换一个端口，如 --port {port + 1}，"
                "或用 --port 0 自动选一个空闲端口"
            ) from None
        raise
    server.daemon_threads = True
    return server


def _interrupt(signum, frame) -> None:  # noqa: ANN001
    raise KeyboardInterrupt


def _stop_on_sigterm() -> dict:
    """`kill` (SIGTERM) stops the preview as cleanly as Ctrl-C; so does Ctrl-C in a shell that
    started it in the background (where SIGINT is ignored). Returns the handlers it replaced."""
    before = {}
    if threading.current_thread() is threading.main_thread():
        before[signal.SIGTERM] = signal.signal(signal.SIGTERM, _interrupt)
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
            before[signal.SIGINT] = signal.signal(signal.SIGINT, _interrupt)
    return before


def serve(
    layout: Layout, port: int, jobs: int = 1, options: list[str] | None = None, stop: threading.Event | None = None
) -> None:
    """Build, serve and rebuild until Ctrl-C (or `stop` is set). `options`: the data options for `build`."""
    options = options or []
    state = State()
    handlers = _stop_on_sigterm()
    try:
        _serve(layout, port, jobs, options, stop, state)
    finally:
        for signum, handler in handlers.items():  # as they were: a forked build worker must stay killable
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _serve(
    layout: Layout, port: int, jobs: int, options: list[str], stop: threading.Event | None, state: State
) -> None:
    server = bind(port, partial(PreviewHandler, state=state, directory=str(layout.out)))
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    try:
        folders = watched_folders(layout)
        seen = snapshot(folders)
        _say(f"[{_now()}] 正在生成网站……")
        if not run_build(options, jobs, state):
            if not all(p.is_dir() for p in folders[:3]):
                raise BuildError("预览没有启动：缺少数据目录（见上）")
            _say(
                f"[{_now()}] 生成失败；改正后保存，会自动重新生成。"
                + ("预览中显示的是上一次生成的网站。" if layout.out.is_dir() else "预览页面会显示上面的错误。")
            )
        thread.start()
        _say(f"预览地址：{url}（只有本机能访问；数据改动后自动重新生成；按 Ctrl-C 停止）")
        while not (stop and stop.is_set()):
            time.sleep(POLL_SECONDS)
            now = snapshot(folders)
            if now == seen:
                continue
            while True:  # let a save that writes several files finish
                time.sleep(SETTLE_SECONDS)
                settled = snapshot(folders)
                if settled == now:
                    break
                now = settled
            files = changed_files(seen, now)
            seen = now
            shown = "、".join(os.path.relpath(p, layout.root) for p in files[:5]) + ("……" if len(files) > 5 else "")
            _say(f"[{_now()}] 检测到改动：{shown}；重新生成……")
            if run_build(options, jobs, state):
                _say(f"[{_now()}] 已重新生成，打开的页面会自动刷新。")
            else:
                _say(f"[{_now()}] 生成失败；预览中继续显示上一次成功生成的网站。改正后保存，会自动重新生成。")
    except KeyboardInterrupt:
        pass
    finally:
        if thread.is_alive():
            server.shutdown()
        server.server_close()
    _say("已停止预览。")
