"""`build --publish` refuses a date later than today (site_builder/domain/dates.py, the clock read
only by the CLI) and an address that is not public; every address of content/site.yaml goes
through one check (site_builder/common/addresses.py), never a traceback."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.project import Project, unmark_sample

from site_builder.build import validate
from site_builder.build.flow import build as build_api
from site_builder.build.layout import Layout
from site_builder.common.addresses import url_problem
from site_builder.domain import dates
from site_builder.domain.settings import SiteConfig
from site_builder.errors import BuildError
from site_builder.read import config

ST, COR, SITE = "scores/2023/status.yaml", "scores/2023/corrections.yaml", "content/site.yaml"
ANN, PAGE = "content/2023/announcement.md", "content/pages/contact.md"
APPROVED = (
    "status: approved\napproved_by: 领导小组\napproved_on: 2024-01-15\npublished_on: 2024-01-15\n"
    "objection_deadline: 2024-01-20\n"
)
FUTURE = "；正式发布的日期不能是将来的日期，请核对年份（如把 2024 误写成 2204）"


def site_line(project: Project, key: str, value: str) -> None:
    text = re.sub(rf"^{key}:.*$", f"{key}: '{value}'", project.read(SITE), flags=re.M)
    project.write(SITE, text)


@pytest.fixture
def publishable(project: Project) -> Project:
    """The repo's data, approved, with a real address and the identity `--publish` demands."""
    project.write(ST, APPROVED)
    unmark_sample(project.root)
    site_line(project, "base_url", "https://rsj.xinzhou.gov.cn/kh/")
    site_line(project, "site_id_code", "1409000001")
    return project


def publish(project: Project):
    return project.cli("build", "--publish", "--out", str(project.root / "out"))


# --- dates ---------------------------------------------------------------------------------------------------


def test_publishable_fixture_publishes(publishable: Project):
    result = publish(publishable)
    assert result.code == 0, result.err


def test_a_correction_typed_2204_is_refused_by_publish_only(publishable: Project):
    publishable.write(
        COR,
        "- date: 2204-01-20\n  institution: P01\n  changes: [{indicator: 1-02, old: 0, new: 1}]\n"
        "  reason: 复核结果\n  approved_by: 领导小组\n",
    )
    assert publishable.validate().code == 0  # a plain check or build keeps working (sample data)
    assert publishable.cli("build", "--out", str(publishable.root / "preview")).code == 0
    result = publish(publishable)
    assert result.code == 1
    today = dt.date.today()
    assert f"{COR}: 第 1 条更正的 date（更正日期）2204-01-20 晚于今天（{today}）{FUTURE}\n" in result.err, result.err
    assert not (publishable.root / "out").exists()


def test_published_on_2204_is_refused(publishable: Project):
    publishable.edit(
        ST,
        "published_on: 2024-01-15\nobjection_deadline: 2024-01-20",
        "published_on: 2204-01-15\nobjection_deadline: 2204-01-20",
    )
    publishable.edit("content/2023/announcement.md", "published_at: 2024-01-15", "published_at: 2204-01-15")
    assert publishable.validate().code == 0
    result = publish(publishable)
    assert result.code == 1
    today = dt.date.today()
    assert result.err == (
        f"错误：不能正式发布：\n{ST}: published_on（公示日期）2204-01-15 晚于今天（{today}）{FUTURE}\n"
        f"{ANN}: 页面开头的设置 published_at（发布时间）2204-01-15 晚于今天（{today}）{FUTURE}\n"
    ), result.err


def test_a_pages_future_published_at_is_refused_by_publish(publishable: Project):
    """Attack report item 5: a page dated 2099 was published showing 发布时间 2099年1月1日."""
    publishable.edit(PAGE, "title: 联系我们", "title: 联系我们\npublished_at: 2099-01-01 09:00")
    assert publishable.validate().code == 0  # a preview may carry it
    result = publish(publishable)
    assert result.code == 1
    today = dt.date.today()
    assert result.err == (
        f"错误：不能正式发布：\n{PAGE}: 页面开头的设置 published_at（发布时间）2099-01-01 晚于今天（{today}）{FUTURE}\n"
    ), result.err
    assert not (publishable.root / "out").exists()


@pytest.mark.parametrize("value", ["1970-01-01 09:00", "1970-01-01", "1999-12-31 23:59"])
def test_a_pages_published_at_before_2000_is_refused(project: Project, value: str):
    project.edit(PAGE, "title: 联系我们", f"title: 联系我们\npublished_at: {value}")
    result = project.validate()
    assert result.code == 1
    assert result.err == (
        f"错误：数据有 1 处问题，未写出任何文件：\n  {PAGE}: 页面开头的设置 published_at（发布时间）{value[:10]} "
        "早得不合理（不会早于 2000-01-01）；请核对年份（如把 2024 误写成 1970）\n"
    ), result.err


def test_an_assessment_period_ending_after_publication_is_refused(publishable: Project):
    """Attack report item 6: 考核期 "2023年12月21日至2099年1月10日" was published."""
    publishable.edit(ANN, "assessed_to: 2024-01-10", "assessed_to: 2099-01-10")
    result = publishable.validate()
    assert result.code == 1
    assert result.err == (
        f"错误：数据有 1 处问题，未写出任何文件：\n  {ANN}: 考核期结束日期 assessed_to 2099-01-10 晚于公示日期 "
        f"2024-01-15（{ST} 的 published_on）；考核期须在结果公示之前结束，请核对日期\n"
    ), result.err


def test_an_assessment_period_starting_before_its_year_is_refused(project: Project):
    project.edit(ANN, "assessed_from: 2023-12-21", "assessed_from: 1999-12-21")
    result = project.validate()
    assert result.code == 1
    assert result.err == (
        f"错误：数据有 1 处问题，未写出任何文件：\n  {ANN}: 页面开头的设置 assessed_from（考核期开始日期）1999-12-21 "
        "早得不合理（2023 年度的数据不会早于 2023-01-01）；请核对年份（如把 2024 误写成 1970）\n"
    ), result.err


def test_a_status_date_before_its_year_is_refused(project: Project):
    """Every data date is chained by the order to the sheets' assessed_on, itself inside the period
    (checked against its year): a 1970 is refused by the order first."""
    project.edit(ST, "published_on: 2024-01-15", "published_on: 1970-01-15")
    result = project.validate()
    assert result.code == 1
    assert result.err == (
        f"错误：数据有 1 处问题，未写出任何文件：\n  {ST}: published_on（公示日期）1970-01-15 早于机构 P08 的评估日期 "
        "2024-01-10（scores/2023/P08.yaml）；须在全部评估之后审定和公示\n"
    ), result.err


# every date any input carries, set to a future day: how to set it, and how a message names it
OBJECTION = (
    "- received_on: {received}\n  institution: P01\n  subject: 对指标1-02扣分有异议\n  outcome: rejected\n"
    "  decided_on: {decided}\n  reply: 经复核，扣分有据\n"
)
FUTURE_DAY = "2099-01-16"
SET_IN_FUTURE = {
    "approved_on": (ST, "approved_on: 2024-01-15", f"approved_on: {FUTURE_DAY}"),
    "published_on": (ST, "published_on: 2024-01-15", f"published_on: {FUTURE_DAY}"),
    "final_on": (ST, "objection_deadline: 2024-01-20", f"objection_deadline: 2024-01-20\nfinal_on: {FUTURE_DAY}"),
    "assessed_on": ("scores/2023/P01.yaml", "assessed_on: 2024-01-03", f"assessed_on: {FUTURE_DAY}"),
    "received_on": ("scores/2023/objections.yaml", None, OBJECTION.format(received=FUTURE_DAY, decided=FUTURE_DAY)),
    "decided_on": ("scores/2023/objections.yaml", None, OBJECTION.format(received="2024-01-16", decided=FUTURE_DAY)),
    "correction": (
        COR,
        None,
        f"- date: {FUTURE_DAY}\n  institution: P01\n  changes: [{{indicator: 1-02, old: 0, new: 1}}]\n"
        "  reason: 复核结果\n  approved_by: 领导小组\n",
    ),
    "assessed_from": (ANN, "assessed_from: 2023-12-21", f"assessed_from: {FUTURE_DAY}"),
    "assessed_to": (ANN, "assessed_to: 2024-01-10", f"assessed_to: {FUTURE_DAY}"),
    "published_at": (ANN, "published_at: 2024-01-15 09:00", f"published_at: {FUTURE_DAY} 09:00"),
    "page published_at": (PAGE, "title: 联系我们", f"title: 联系我们\npublished_at: {FUTURE_DAY} 09:00"),
}


def test_every_date_field_of_the_policy_is_covered():
    """A new date field joins the policy (NOT_IN_FUTURE) and this table, or this test fails."""
    assert {k.split()[-1] for k in SET_IN_FUTURE} == set(dates.NOT_IN_FUTURE)


@pytest.mark.parametrize("field", sorted(SET_IN_FUTURE))
def test_any_date_field_of_any_input_set_in_the_future_is_refused_by_publish_naming_it(
    publishable: Project, field: str
):
    path, old, new = SET_IN_FUTURE[field]
    if old is None:
        publishable.write(path, new)
    else:
        publishable.edit(path, old, new)
    result = publish(publishable)
    assert result.code == 1, result.out
    key = field.split()[-1]
    named = [line for line in result.err.splitlines() if path in line and FUTURE_DAY in line]
    assert named, result.err
    assert any(key in line or dates.FIELDS.get(key, key) in line for line in named), result.err
    assert not (publishable.root / "out").exists()


def test_final_on_2099_that_would_date_the_feed_is_refused(publishable: Project):
    publishable.edit(ST, "objection_deadline: 2024-01-20", "objection_deadline: 2024-01-20\nfinal_on: 2099-01-01")
    result = publish(publishable)
    assert result.code == 1
    today = dt.date.today()
    assert result.err == (
        f"错误：不能正式发布：\n{ST}: final_on（最终结果确定日期）2099-01-01 晚于今天（{today}）{FUTURE}\n"
    ), result.err


def test_today_is_a_parameter(publishable: Project):
    """The clock is read by the CLI only: with a fixed day, a date of that day passes, the next does not."""
    publishable.edit(ST, "objection_deadline: 2024-01-20", "objection_deadline: 2024-01-20\nfinal_on: 2024-01-22")
    layout = Layout.from_args(root=str(publishable.root), out=str(publishable.root / "out"))
    with pytest.raises(BuildError) as refused:
        build_api(layout, publish_mode=True, cache=False, today=dt.date(2024, 1, 21))
    assert (
        str(refused.value)
        == f"不能正式发布：\n{ST}: final_on（最终结果确定日期）2024-01-22 晚于今天（2024-01-21）{FUTURE}"
    )
    build_api(layout, publish_mode=True, cache=False, today=dt.date(2024, 1, 22))
    with pytest.raises(ValueError):
        build_api(layout, publish_mode=True, cache=False)


# --- addresses: the examples ---------------------------------------------------------------------------

BAD_BASE = [
    ("https://rsj.xinzhou.gov.cn/kh/?from=wx", "不能含查询参数（? 及其后的部分）"),
    ("https://rsj.xinzhou.gov.cn/kh/#top", "不能含片段（# 及其后的部分）"),
    ("https://rsj.xinzhou.gov.cn:99999/kh/", "端口须为 1 到 65535 之间的数字"),
    ("https://rsj.xinzhou.gov.cn/kh/index.html", "须以 / 结尾，指向网站所在的目录（不写 index.html 等页面文件名）"),
    ("https://[::1/", "方括号 [ ] 不成对或位置不对（IPv6 地址须写作 https://[2001:db8::1]/ 这样）"),
]


@pytest.mark.parametrize("url, problem", BAD_BASE)
def test_bad_base_url_is_refused_with_a_message(project: Project, url: str, problem: str):
    site_line(project, "base_url", url)
    result = project.validate()
    assert result.code == 1
    assert result.err == f"错误：数据有 1 处问题：\n  {SITE}: base_url（网站地址）{url}：{problem}\n" or (
        f"  {SITE}: base_url（网站地址）{url}：{problem}\n" in result.err
    ), result.err
    assert "Traceback" not in result.err


def test_credentials_are_refused_and_not_echoed(project: Project):
    site_line(project, "base_url", "https://user:secret@rsj.xinzhou.gov.cn/kh/")
    result = project.validate()
    assert result.code == 1
    assert (
        f"  {SITE}: base_url（网站地址）https://***@rsj.xinzhou.gov.cn/kh/：不能含用户名或密码（@ 之前的部分），"
        "网址会公开在网页和订阅中\n" in result.err
    ), result.err
    assert "secret" not in result.err


@pytest.mark.parametrize(
    "url, host",
    [
        ("http://localhost:8000/", "localhost"),
        ("https://kh.localhost/", "kh.localhost"),
        ("https://server.local/kh/", "server.local"),
    ],
)
def test_publish_refuses_a_local_name(publishable: Project, url: str, host: str):
    site_line(publishable, "base_url", url)
    assert publishable.validate().code == 0  # a preview may live there
    result = publish(publishable)
    assert result.code == 1
    assert result.err == (
        f"错误：不能正式发布：\n{SITE}: base_url（网站地址）{url}：主机 {host} 是本机或局域网的名称，"
        "公众无法访问；请改为本站对外的域名\n"
    ), result.err


@pytest.mark.parametrize("url, host", [("http://192.168.1.10/kh/", "192.168.1.10"), ("http://[::1]:8080/", "::1")])
def test_publish_refuses_a_private_address_in_any_url(publishable: Project, url: str, host: str):
    site_line(publishable, "error_report_url", url)
    result = publish(publishable)
    assert result.code == 1
    assert (
        f"{SITE}: error_report_url（“我为政府网站找错”链接）{url}：主机 {host} 是本机、内网或保留的地址，"
        "公众无法访问；请改为本站对外的域名\n" in result.err
    ), result.err


def test_conac_url_with_userinfo_is_refused(project: Project):
    site_line(project, "conac_url", "https://a:b@bszs.conac.cn/sitename?method=show&id=1")
    result = project.validate()
    assert result.code == 1
    assert (
        f"  {SITE}: conac_url（党政机关网站标识链接）https://***@bszs.conac.cn/sitename?method=show&id=1："
        "不能含用户名或密码（@ 之前的部分），网址会公开在网页和订阅中\n" in result.err
    ), result.err


NUMERIC = (
    "不是有效的 IP 地址（数字地址只接受 4 段十进制写法，如 8.8.8.8；十六进制、八进制、整数或少于 4 段的写法不接受）"
)
LOCAL_NAME = "是本机或局域网的名称，公众无法访问；请改为本站对外的域名"
PATH_CHARS = (
    "路径含网址中不允许直接写的字符（如引号、尖括号、空格、中文或单独的 %）；"
    "请从浏览器地址栏复制本站的实际地址（这些字符在其中写作 %XX）"
)
ATTACK_BASE = [  # the outside attacker's base_url values (report item 7), each refused by the one check
    ("https://0x7f000001/", f"主机 0x7f000001 {NUMERIC}"),
    ("https://0177.0.0.1/x/", f"主机 0177.0.0.1 {NUMERIC}"),
    (
        "https://rsj.xinzhóu.gov.cn/x/",
        "主机 rsj.xinzhóu.gov.cn 含非英文字符；网址的主机名须以 ASCII 写出（中文域名写其 "
        "punycode 形式 xn--…），以免与外形相近的其他网站混淆；请从浏览器地址栏复制本站的实际地址",
    ),
    (
        "https://rsj.xinzhou.gov.cn。/x/",
        "主机 rsj.xinzhou.gov.cn。 含非英文字符；网址的主机名须以 ASCII 写出（中文域名写其 "
        "punycode 形式 xn--…），以免与外形相近的其他网站混淆；请从浏览器地址栏复制本站的实际地址",
    ),
    (
        "https://rsj.xinzhou.gov.cn./x/",
        "主机 rsj.xinzhou.gov.cn. 的开头、结尾或中间有多余的点；请去掉（如 rsj.xinzhou.gov.cn）",
    ),
    (
        "https://rsj.xinzhou.gov.cn/../x/",
        "路径含 . 或 .. 目录；请直接写出本站的实际目录（如 https://rsj.xinzhou.gov.cn/pjjg/）",
    ),
    (
        "https://rsj.xinzhou.gov.cn/%2e%2e/",
        "路径含编码的点、斜杠或反斜杠（%2e、%2f、%5c）；请直接写出本站的实际目录，不要编码",
    ),
    ('https://rsj.xinzhou.gov.cn/"><script>alert(1)</script>/', PATH_CHARS),
]


@pytest.mark.parametrize("url, problem", ATTACK_BASE)
def test_a_base_url_read_otherwise_than_written_is_refused_by_validate(project: Project, url: str, problem: str):
    site_line(project, "base_url", url)
    result = project.validate()
    assert result.code == 1
    assert result.err == (
        f"错误：数据有 1 处问题，未写出任何文件：\n  {SITE}: base_url（网站地址）{url}：{problem}\n"
    ), result.err


@pytest.mark.parametrize(
    "url, problem",
    [
        ("https://localhost.localdomain/x/", f"主机 localhost.localdomain {LOCAL_NAME}"),
        ("https://db.internal/x/", f"主机 db.internal {LOCAL_NAME}"),
        ("https://a/x/", "主机 a 不含点（.），是本机或局域网的名称，公众无法访问；请改为本站对外的完整域名"),
    ],
)
def test_publish_refuses_a_local_name_of_any_form(publishable: Project, url: str, problem: str):
    site_line(publishable, "base_url", url)
    assert publishable.validate().code == 0  # a preview on the office's network is fine
    result = publish(publishable)
    assert result.code == 1
    assert result.err == f"错误：不能正式发布：\n{SITE}: base_url（网站地址）{url}：{problem}\n", result.err


def test_every_address_field_is_checked():
    """Every `*_url` of the settings goes through the one check, in `validate` and in `--publish`."""
    url_fields = {f.name for f in fields(SiteConfig) if f.name.endswith("_url")}
    assert url_fields == set(validate.URL_FIELDS)
    checked = {"base_url"} | {k for k, (_l, form, _e) in config.IDENTITY_FORMATS.items() if form == "url"}
    assert url_fields == checked


# --- addresses: the property -------------------------------------------------------------------------------------

HOSTS = {
    "rsj.xinzhou.gov.cn": "public",
    "8.8.8.8": "public",
    "[2001:4860::8888]": "public",
    "10.0.0.1": "private",
    "192.168.1.2": "private",
    "127.0.0.1": "private",
    "169.254.1.1": "private",
    "[::1]": "private",
    "[fe80::1]": "private",
    "[::ffff:127.0.0.1]": "private",
    "localhost": "private",
    "LocalHost": "private",
    "printer.local": "private",
    "a.localhost": "private",
    "[::1": "broken",
    "::1]": "broken",
    "[zz]": "broken",
    "[1.2.3.4]": "broken",
    "a]b": "broken",
    "": "broken",
    "1.2.3": "broken",
    # numeric hosts in every other form a browser reads as an IP address
    "0x7f000001": "broken",
    "0X7F.0.0.1": "broken",
    "0177.0.0.1": "broken",
    "2130706433": "broken",
    "127.1": "broken",
    "8.8.8.0x8": "broken",
    # local names, and a name with no dot: refused to publish only
    "localhost.localdomain": "private",
    "LOCALHOST.example.org": "private",
    "db.internal": "private",
    "pc.localdomain": "private",
    "intranet": "private",
    "a": "private",
    # written otherwise than a browser takes it
    "rsj.xinzhóu.gov.cn": "broken",
    "rsj.xinzhou.gov.cn。": "broken",
    "rsj.xinzhou.gov.cn.": "broken",
    ".xinzhou.gov.cn": "broken",
    "rsj..gov.cn": "broken",
    "rsj_x.gov.cn": "broken",
    "rsj%2ex.gov.cn": "broken",
    "рsj.xinzhou.gov.cn": "broken",
    "xn--rsj-xinzhu-9db.gov.cn": "public",
    "0xdead.example.org": "public",
    "1example.org": "public",
}
PATHS = {
    "": True,
    "/": True,
    "/kh/": True,
    "/kh": True,
    "/index.html": True,
    "/a]/": False,
    "/[x/": False,
    "/../x/": False,
    "/kh/./": False,
    "/kh/..": False,
    "/%2e%2e/": False,
    "/%2E/": False,
    "/a%2fb/": False,
    "/a%5Cb/": False,
    '/"><script>alert(1)</script>/': False,
    "/a b/": False,
    "/考核/": False,
    "/a%/": False,
    "/a%zz/": False,
    "/a%20b/": True,
    "/%E8%80%83/": True,
    "/~a/b.c/": True,
    "/a;b=c/": True,
    "/a...b/": True,
}
QUERIES = {None: True, "": True, "from=wx": True, "a=%E8%80%83&b=1?": True, 'a="><x>': False, "a=%": False}

url_parts = st.fixed_dictionaries(
    {
        "scheme": st.sampled_from(["http", "https", "ftp", "javascript", None]),
        "userinfo": st.sampled_from([None, "u@", "u:p@", ":p@", "@"]),
        "host": st.sampled_from(sorted(HOSTS)),
        "port": st.one_of(st.none(), st.integers(-1, 70000), st.sampled_from(["", "abc", "0080"])),
        "path": st.sampled_from(sorted(PATHS)),
        "query": st.sampled_from(list(QUERIES)),
        "fragment": st.sampled_from([None, "", "top"]),
    }
)


def compose(p: dict) -> str:
    url = f"{p['scheme']}://" if p["scheme"] else ""
    url += (p["userinfo"] or "") + p["host"]
    url += f":{p['port']}" if p["port"] is not None else ""
    url += p["path"]
    url += f"?{p['query']}" if p["query"] is not None else ""
    return url + (f"#{p['fragment']}" if p["fragment"] is not None else "")


def meets_the_rule(p: dict, folder: bool, public: bool) -> bool:
    port = p["port"]
    port_ok = port is None or port == "" or (isinstance(port, int) or port.isdigit()) and 1 <= int(port) <= 65535
    return (
        p["scheme"] in ("http", "https")
        and p["userinfo"] is None
        and HOSTS[p["host"]] != "broken"
        and port_ok
        and PATHS[p["path"]]
        and QUERIES[p["query"]]
        and p["fragment"] is None
        and (not folder or p["query"] is None and (p["path"] == "" or p["path"].endswith("/")))
        and (not public or HOSTS[p["host"]] == "public")
    )


@settings(max_examples=2000, deadline=None)
@given(url_parts, st.booleans(), st.booleans())
def test_an_address_is_accepted_iff_it_meets_the_rule(parts, folder, public):
    url = compose(parts)
    problem = url_problem(url, folder=folder, public=public)  # never raises
    assert (problem is None) == meets_the_rule(parts, folder, public), (url, problem)
    assert problem is None or re.search(r"[\u4e00-\u9fff]", problem)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40), st.booleans(), st.booleans())
def test_any_text_gives_a_message_never_a_traceback(text, folder, public):
    problem = url_problem(text, folder=folder, public=public)
    assert problem is None or isinstance(problem, str)
    assert problem is not None or text.startswith(("http://", "https://"))
