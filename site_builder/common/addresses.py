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

The host is written the one way every browser, server and reader takes it the same way: a name of
ASCII letters, digits, hyphens and dots (a Chinese or lookalike name — `xinzhóu` — is refused with
the hint to write its punycode `xn--…` form, so a lookalike cannot pass as the bureau's name), no
trailing dot (`gov.cn.`, `gov.cn。`), and a number only as a plain dotted IPv4 address (`0x7f000001`,
`0177.0.0.1`, `2130706433`, `127.1` all mean 127.0.0.1 to a browser). To publish, the name also has a
dot and no local suffix (`localhost.*`, `*.localhost`, `*.local`, `*.internal`, `*.localdomain`).
The path has no `.` or `..` segment, no percent-encoded dot, slash or backslash, and only the
characters RFC 3986 allows in a path (unreserved, sub-delims, `:@/` and `%XX`); a query only those
and `?`: the address is written raw into robots.txt, files.txt and the feed.
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
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain")
HOST_NAME = re.compile(r"[A-Za-z0-9.-]+")
NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")
PATH_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*")
QUERY_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*")
ENCODED_SEPARATOR = re.compile(r"%(2[eEfF]|5[cC])")


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
        problem = _host_name_problem(host)
        if problem:
            return problem
    if parts.port is not None and not 1 <= parts.port <= 65535:
        return PORT
    before_fragment = value.split("#", 1)[0]
    if re.search(r"[\[\]]", parts.path):
        return BRACKETS
    problem = _path_problem(parts.path)
    if problem:
        return problem
    if folder and "?" in before_fragment:
        return "不能含查询参数（? 及其后的部分）"
    if "#" in value:
        return "不能含片段（# 及其后的部分）"
    if not QUERY_CHARS.fullmatch(parts.query) or re.search(r"%(?![0-9A-Fa-f]{2})", parts.query):
        return "查询参数（? 之后）含网址中不允许直接写的字符（如引号、尖括号、空格）；请按网址编码（%XX）写出"
    if folder and parts.path and not parts.path.endswith("/"):
        return "须以 / 结尾，指向网站所在的目录（不写 index.html 等页面文件名）"
    if public:
        return _local_host(host)
    return None


def _host_name_problem(host: str) -> str | None:
    """A host that is not a plain ASCII name or a dotted IPv4 address (None: it is)."""
    if not host.isascii():
        return (
            f"主机 {host} 含非英文字符；网址的主机名须以 ASCII 写出（中文域名写其 punycode 形式 xn--…），"
            "以免与外形相近的其他网站混淆；请从浏览器地址栏复制本站的实际地址"
        )
    if not HOST_NAME.fullmatch(host):
        return f"主机 {host} 含不允许的字符；主机名只能由英文字母、数字、连字符（-）和点（.）组成"
    if host.endswith(".") or host.startswith(".") or ".." in host:
        return f"主机 {host} 的开头、结尾或中间有多余的点；请去掉（如 rsj.xinzhou.gov.cn）"
    if NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]) and not _is_ipv4(host):
        return (
            f"主机 {host} 不是有效的 IP 地址（数字地址只接受 4 段十进制写法，如 8.8.8.8；"
            "十六进制、八进制、整数或少于 4 段的写法不接受）"
        )
    return None


def _path_problem(path: str) -> str | None:
    """A path a server or a reader could take another way than it reads (None: it is plain)."""
    if not PATH_CHARS.fullmatch(path) or re.search(r"%(?![0-9A-Fa-f]{2})", path):
        return (
            "路径含网址中不允许直接写的字符（如引号、尖括号、空格、中文或单独的 %）；"
            "请从浏览器地址栏复制本站的实际地址（这些字符在其中写作 %XX）"
        )
    if ENCODED_SEPARATOR.search(path):
        return "路径含编码的点、斜杠或反斜杠（%2e、%2f、%5c）；请直接写出本站的实际目录，不要编码"
    if any(segment in (".", "..") for segment in path.split("/")):
        return "路径含 . 或 .. 目录；请直接写出本站的实际目录（如 https://rsj.xinzhou.gov.cn/pjjg/）"
    return None


def _is_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _local_host(host: str) -> str | None:
    name = host.lower().rstrip(".")
    if name in LOCAL_NAMES or name.startswith("localhost.") or name.endswith(LOCAL_SUFFIXES):
        return f"主机 {host} 是本机或局域网的名称，公众无法访问；请改为本站对外的域名"
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        if "." not in name:  # a name with no dot resolves only on a local network
            return f"主机 {host} 不含点（.），是本机或局域网的名称，公众无法访问；请改为本站对外的完整域名"
        return None  # a host name
    if not ip.is_global or ip.is_multicast:
        return f"主机 {host} 是本机、内网或保留的地址，公众无法访问；请改为本站对外的域名"
    return None


def masked(value: str) -> str:
    """The address as a message may show it: a user name or password replaced by ***."""
    return re.sub(r"(//)[^/?#]*@", r"\1***@", value, count=1)
