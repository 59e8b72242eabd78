"""The preview server (issue 24, point 7; issue 25, its error pages) and the printed commit line.

Chokepoints: `PreviewHandler.parse_request` (every request, any method, checked against
`host_allowed`), `send_error` (every error page, http.server's own included, in Chinese),
`list_directory` (none), the handler's `timeout` (idle connections closed) and its per-request deadline
(`handle_one_request`); `cli.main.commit_command`
(every name shlex-quoted, the ledgers always in it).
"""

from __future__ import annotations

import http.client
import shlex
import socket
import threading
import time
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.cli.main import commit_command
from site_builder.commands.serve import REQUEST_SECONDS, PreviewHandler, State, bind


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    site = tmp_path_factory.mktemp("preview")
    (site / "index.html").write_text("<html><body><p>首页</p></body></html>", encoding="utf-8")
    (site / "2023").mkdir()
    (site / "2023" / "data").mkdir()
    (site / "2023" / "data" / "results.csv").write_text("id\n", encoding="utf-8")

    class Quick(PreviewHandler):
        timeout = 1  # the idle timeout, shortened for the test

    srv = bind(0, partial(Quick, state=State(), directory=str(site)))
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def request(port: int, path: str, host: str | None, method: str = "GET") -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        conn.close()


HOST_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=0, max_size=30
)  # what a Host header can carry


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        HOST_TEXT,
        st.sampled_from(["localhost", "127.0.0.1", "[::1]", "LOCALHOST", "evil.example", "127.0.0.2", "0.0.0.0"]).map(
            lambda h: h + ":{port}"
        ),
        st.sampled_from(["localhost", "127.0.0.1", "[::1]", "evil.example"]).map(lambda h: h + ":1"),
        st.sampled_from(["localhost", "127.0.0.1", "[::1]"]),
    )
)
def test_only_the_three_local_names_with_the_port_are_answered(server, host):
    host = host.replace("{port}", str(server))
    status, body = request(server, "/", host)
    wanted = host.lower() in {f"localhost:{server}", f"127.0.0.1:{server}", f"[::1]:{server}"}
    if wanted:
        assert status == 200 and "首页" in body
    else:
        assert status == 421, host
        assert "只接受本机地址" in body and "首页" not in body


def test_no_host_header_is_refused_too(server):
    status, body = request(server, "/", None)
    assert status == 421 and "只接受本机地址" in body


def test_a_rebinding_host_is_refused_with_a_chinese_page(server):
    status, body = request(server, "/2023/data/results.csv", f"attacker.example:{server}")
    assert status == 421
    assert "<title>421 只接受本机地址</title>" in body
    assert "预览只回答用 localhost、127.0.0.1 或 [::1] 加端口号访问的请求" in body


def test_a_wrong_url_gets_a_chinese_page(server):
    status, body = request(server, "/no-such-page.html", f"127.0.0.1:{server}")
    assert status == 404
    assert "<h1>找不到这个页面</h1>" in body and "Error response" not in body


def test_no_directory_is_listed(server):
    status, body = request(server, "/2023/data/", f"localhost:{server}")
    assert status == 404
    assert "results.csv" not in body and "Directory listing" not in body and "找不到这个页面" in body


def test_an_unsupported_method_gets_a_chinese_page(server):
    status, body = request(server, "/", f"localhost:{server}", method="POST")
    assert status == 501 and "不支持这种请求" in body


def test_an_idle_connection_is_closed(server):
    sock = socket.create_connection(("127.0.0.1", server), timeout=10)
    started = time.perf_counter()
    try:
        assert sock.recv(1) == b""  # the server closed it: sent nothing, waited for nothing
    finally:
        sock.close()
    assert time.perf_counter() - started < 5


def test_a_request_trickling_in_is_cut_off_at_its_deadline(tmp_path):
    """One byte every 0.5 s keeps under the idle timeout (1 s here) for ever; the request's own
    deadline (2 s here, REQUEST_SECONDS in use) cuts it off all the same (attack report, point 16)."""
    assert REQUEST_SECONDS <= 10
    (tmp_path / "index.html").write_text("<p>首页</p>", encoding="utf-8")

    class Slow(PreviewHandler):
        timeout = 1
        request_seconds = 2

    srv = bind(0, partial(Slow, state=State(), directory=str(tmp_path)))
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        port = srv.server_address[1]
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        started = time.perf_counter()
        closed_after = None
        try:
            for byte in f"GET / HTTP/1.1\r\nHost: localhost:{port}\r\nX-Slow: {'a' * 40}".encode():
                try:
                    sock.sendall(bytes([byte]))
                except OSError:  # reset by the server: cut off
                    closed_after = time.perf_counter() - started
                    break
                sock.settimeout(0.5)
                try:
                    if sock.recv(1024) == b"":
                        closed_after = time.perf_counter() - started
                        break
                except TimeoutError:
                    pass
                if time.perf_counter() - started > 8:
                    break
        finally:
            sock.close()
        assert closed_after is not None, "a request trickling in was still open after 8 s"
        assert 1.5 < closed_after < 4
    finally:
        srv.shutdown()
        srv.server_close()


NAMES = st.lists(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), min_size=1), max_size=5
)


@given(NAMES)
def test_the_commit_line_quotes_every_name_and_holds_the_ledgers(names):
    ledgers = ["scores/2023/ledger.json"]
    line = commit_command(Path("/data/考核 $(rm -rf ~)"), names, ledgers)
    add, commit = line.split(" && ")
    words = shlex.split(add)
    assert words[:5] == ["git", "-C", str(Path("/data/考核 $(rm -rf ~)")), "add", "--"]
    assert words[5:] == sorted(set(names) | set(ledgers))
    assert shlex.split(commit) == ["git", "-C", "/data/考核 $(rm -rf ~)", "commit", "-m", "正式发布"]


def test_the_commit_line_of_the_issue():
    line = commit_command(Path("/srv/kh"), ["scores/2023/$(touch x)`id`.yaml"], ["scores/2023/ledger.json"])
    assert line == (
        "git -C /srv/kh add -- 'scores/2023/$(touch x)`id`.yaml' scores/2023/ledger.json"
        " && git -C /srv/kh commit -m '正式发布'"
    )
