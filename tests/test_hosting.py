"""The hosting lines of docs/hosting.md, run for real: nginx with its default mime.types plus exactly
those lines serves every kind of text file the build writes as UTF-8."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from support.project import REPO, in_process

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
MIME_TYPES = Path("/etc/nginx/mime.types")


def documented_lines() -> str:
    text = (REPO / "docs" / "hosting.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- nginx-begin -->\s*```nginx\n(.*?)```\s*<!-- nginx-end -->", text, re.S)
    assert block, "docs/hosting.md lost its nginx lines"
    return block.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    if NGINX is None or not MIME_TYPES.is_file():
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    root = tmp_path_factory.mktemp("hosting")
    result = in_process("build", "--root", str(REPO), "--out", str(root / "site"), "--no-cache", "--jobs", "1")
    assert result.code == 0, result.err
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # as root, the workers must read the test's private folder
        + f"""daemon off; pid {root}/nginx.pid; error_log {root}/error.log; worker_processes 1;
events {{ worker_connections 64; }}
http {{
  include {MIME_TYPES};
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
  uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
  server {{
    listen 127.0.0.1:{port};
    location /kh/ {{
      alias {root}/site/;
{documented_lines()}
    }}
  }}
}}
""",
        encoding="utf-8",
    )
    (root / "tmp").mkdir()
    (root / "www").mkdir()
    (root / "www" / "kh").symlink_to(root / "site")  # served under a sub-path, as on the bureau site
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(root)], stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/kh/"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "index.html", timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"nginx did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.05)
    yield base, root / "site"
    proc.terminate()
    proc.wait(timeout=10)


def test_every_text_file_is_served_as_utf8(nginx) -> None:
    base, site = nginx
    kinds = {}
    for path in sorted(site.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            kinds.setdefault(path.suffix or path.name, path.relative_to(site).as_posix())
    assert {".html", ".css", ".js", ".json", ".csv", ".xml", ".txt", "SHA256SUMS"} <= set(kinds)
    for kind, rel in kinds.items():
        with urllib.request.urlopen(base + urllib.parse.quote(rel), timeout=5) as response:
            ctype = response.headers["Content-Type"]
        if kind in (".xlsx",):
            assert "charset" not in ctype.lower(), (rel, ctype)
            continue
        assert ctype.lower().replace(" ", "").endswith("charset=utf-8"), (rel, ctype)
    with urllib.request.urlopen(base + kinds[".csv"], timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/csv")
    with urllib.request.urlopen(base + "SHA256SUMS", timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
