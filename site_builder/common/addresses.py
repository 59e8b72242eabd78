"""The one check of a web address the site's settings give (`base_url`, `conac_url`,
`error_report_url`, any other): every address in content/site.yaml goes through `url_problem`.

An address is accepted when it has the scheme http or https, a host (a name, an IPv4 address or an
IPv6 address in brackets), no user name or password, no fragment (#…), a port (if any) between 1 and
65535, no space or control character; `base_url` (`folder=True`) also has no query (?…) and a path
that is empty or ends in `/` (the site's folder, not a page such as index.html). The other addresses
may carry a query: the national services' links (党政机关网站标识, 我为政府网站找错) name the site by it. For an
official publication (`public=True`) the host must also be one the public can reach: not
`localhost` (nor a name ending in .localhost or .local) and not a loopback, private, link-local or
otherwise reserved IP address. A malformed address (a stray `]`) is a problem, never an exception.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit

LOCAL_NAMES = ("localhost",)
BRACKETS = "方括号 [ ] 不成对或位置不对（IPv6 地址须写作 https://[2001:db8::1]/ 这样）"
PORT = "端口须为 1 到 65535 之间的数字"
NOT_ABSOLUTE = "须为以 http:// 或 https:// 开头的完整网址"
"""The problem of an address with no http(s) scheme or no host (callers word it as before)."""
LOCAL_SUFFIXES = (".localhost", ".local")


def _split(value: str) -> SplitResult | None:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
        return parts
    except ValueError:
        return None


def url_problem(value: str, *, folder: bool = False, public: bool = False) -> str | None:
    """What is wrong with an address, in Chinese (None: nothing). `folder`: it is base_url (its path
    ends in /, no query); `public`: it is checked for an official publication (no local or private
    host)."""
    if re.search(r"[\s\x00-\x1f\x7f]", value):
        return "不能含空格或控制字符"
    parts = _split(value)
    if parts is None:
        return BRACKETS if re.search(r"[\[\]]", value) else PORT
    if parts.scheme not in ("http", "https"):
        return NOT_ABSOLUTE
    if "@" in parts.netloc:
        return "不能含用户名或密码（@ 之前的部分），网址会公开在网页和订阅中"
    if not parts.hostname:
        return NOT_ABSOLUTE
    hostport = parts.netloc
    bracketed = re.fullmatch(r"\[([^\[\]]*)\](?::(\d*))?", hostport)
    if bracketed:
        host = bracketed.group(1)
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return BRACKETS
    elif "[" in value or "]" in value:
        return BRACKETS
    else:
        host = hostport.rsplit(":", 1)[0] if ":" in hostport else hostport
        if re.fullmatch(r"[0-9.]+", host) and not _is_ipv4(host):
            return f"主机 {host} 不是有效的 IP 地址"
    if parts.port is not None and not 1 <= parts.port <= 65535:
        return PORT
    before_fragment = value.split("#", 1)[0]
    if re.search(r"[\[\]]", parts.path):
        return BRACKETS
    if folder and "?" in before_fragment:
        return "不能含查询参数（? 及其后的部分）"
    if "#" in value:
        return "不能含片段（# 及其后的部分）"
    if folder and parts.path and not parts.path.endswith("/"):
        return "须以 / 结尾，指向网站所在的目录（不写 index.html 等页面文件名）"
    if public:
        return _local_host(host)
    return None


def _is_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _local_host(host: str) -> str | None:
    name = host.lower().rstrip(".")
    if name in LOCAL_NAMES or name.endswith(LOCAL_SUFFIXES):
        return f"主机 {host} 是本机或局域网的名称，公众无法访问；请改为本站对外的域名"
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return None  # a host name
    if not ip.is_global or ip.is_multicast:
        return f"主机 {host} 是本机、内网或保留的地址，公众无法访问；请改为本站对外的域名"
    return None


def masked(value: str) -> str:
    """The address as a message may show it: a user name or password replaced by ***."""
    return re.sub(r"(//)[^/?#]*@", r"\1***@", value, count=1)
