"""The privacy scan (去标识化 before publishing) and the roster's 统一社会信用代码 check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from site_builder.errors import Problems
from site_builder.publish.privacy import HINT, Scanner, check_roster_codes, check_site

# Valid numbers of each kind (check digits verified by python-stdnum / Luhn), and the same with one
# digit changed so that the check fails: those are not personal numbers and must pass.
ID18 = "142201198001011235"  # 山西忻州, born 1980-01-01
ID18_X = "11010519491231002X"  # python-stdnum's own example, check character X
ID18_BAD = "142201198001011236"
ID15 = "142201800101123"  # first-generation card: 1980-01-01
ID15_BAD_DATE = "142201801301123"  # month 13
CARD = "6222021234567890128"  # 19 digits, Luhn-valid
CARD_BAD = "6222021234567890127"

CONTACTS = Scanner(("0350-3020718",), ("xzsjdZX@163.com",))


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.masked) for f in CONTACTS.find(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"身份证号{ID18}", [("居民身份证号", "142***********1235")]),
        (f"证件 {ID18_X.lower()}。", [("居民身份证号", "110***********002X")]),
        (f"老身份证{ID15}", [("居民身份证号", "142********1123")]),
        ("联系人手机13812345678", [("手机号码", "138****5678")]),
        ("手机 138 1234 5678", [("手机号码", "138****5678")]),
        ("+86 138-1234-5678", [("手机号码", "138****5678")]),
        ("邮箱 zhang.san@example.com", [("电子邮箱", "z***@example.com")]),
        ("座机0351-7654321", [("电话号码", "035****4321")]),
        ("（0351）7654321", [("电话号码", "035****4321")]),
        ("电话：7654321", [("电话号码", "765****4321")]),
        (f"卡号{CARD}", [("银行卡号", "622************0128")]),
        ("卡号 6222 0212 3456 7890 128", [("银行卡号", "622************0128")]),
        (f"{ID18}，13812345678", [("居民身份证号", "142***********1235"), ("手机号码", "138****5678")]),
        # full-width characters (NFKC) and the separators people write between digit groups
        ("负责人身份证１４０９０２１９８００１０１１２３８", [("居民身份证号", "140***********1238")]),
        ("负责人身份证 140902 19800101 1238", [("居民身份证号", "140***********1238")]),
        ("身份证140902-19800101-1238", [("居民身份证号", "140***********1238")]),
        ("身份证 1409.0219.8001.0112.38", [("居民身份证号", "140***********1238")]),
        ("身份证１４０９０２　１９８００１０１　１２３８", [("居民身份证号", "140***********1238")]),
        ("证件 11010519491231002ｘ", [("居民身份证号", "110***********002X")]),
        ("老身份证 142201 800101 123", [("居民身份证号", "142********1123")]),
        ("负责人手机１３８１２３４５６７８", [("手机号码", "138****5678")]),
        ("手机 138.1234.5678", [("手机号码", "138****5678")]),
        ("手机１３８　１２３４　５６７８", [("手机号码", "138****5678")]),
        ("手机 138  1234   5678", [("手机号码", "138****5678")]),
        ("＋８６－１３８－１２３４－５６７８", [("手机号码", "138****5678")]),
        ("联系zhangsan＠qq.com", [("电子邮箱", "z***@qq.com")]),
        ("联系ｚｈａｎｇｓａｎ＠ｑｑ．ｃｏｍ", [("电子邮箱", "z***@qq.com")]),
        ("邮箱 zhangsan @ qq.com", [("电子邮箱", "z***@qq.com")]),
        ("座机０３５１－７６５４３２１", [("电话号码", "035****4321")]),
        ("座机0351.7654321", [("电话号码", "035****4321")]),
        ("卡号６２２２０２１２３４５６７８９０１２８", [("银行卡号", "622************0128")]),
        ("①13812345678；②zhangsan@qq.com", [("手机号码", "138****5678"), ("电子邮箱", "z***@qq.com")]),
    ],
)
def test_personal_numbers_are_found_and_masked(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # the configured contacts, in the forms a page writes them
        "联系电话：0350-3020718",
        "电话 03503020718",
        "电话3020718",
        "电子邮箱：xzsjdZX@163.com",
        "XZSJDZX@163.COM",
        # dates, periods, scores, indicator numbers, ids, 文号
        "2023年12月15日至20日",
        "2024-01-15",
        "2023-12-21至2024-01-10",
        "20240115",
        "2024年1月15日前",
        "得分 89.75，基础分 100，总分 120",
        "扣0.25分",
        "指标 1-02、7-31 和 6-04",
        "机构 P01、M27",
        "P001",
        "忻人社函〔2023〕118号",
        "忻人社函〔2021〕105号",
        "7大部分140项指标",
        # already de-identified, or failing the check digit / date / Luhn
        "138****1234",
        "手机 138****5678",
        ID18_BAD,
        ID15_BAD_DATE,
        CARD_BAD,
        "12345678901234567",
        # a 统一社会信用代码 is an organisation's, not a person's
        "91140900MA0000001F",
        # the same in full-width characters or with separators between digit groups
        "联系电话：０３５０－３０２０７１８",
        "电话 0350 3020718",
        "电子邮箱：xzsjdZX＠163.com",
        "xzsjdZX @ 163.com",
        "２０２４－０１－１５",
        "２０２４年１月１５日",
        "2024.01.15",
        "2024 01 15",
        "2023.12.21-2024.01.10",
        "2023-12-21 2024-01-10 2024-01-15 2024-01-20",
        "20231221 20240110",
        "指标 １－０２",
        "1-01 1-02 1-03 2-01 5-01 5-02 7-31",
        "忻人社函〔２０２３〕１１８号",
        "得分 89.75 90.25 88.50 92.00 95.25 100.00",
        "100 95.5 90 85.25 80 75.5",
        "１３８＊＊＊＊１２３４",
        "138 **** 1234",
        "P01 P02 P03",
        f"{ID18_BAD[:6]} {ID18_BAD[6:14]} {ID18_BAD[14:]}",
        "0350 3020718 0350 3020718",
        "⑴2024年1月15日",
        "①1-02 ②1-03",
        "面积 120m² 138****1234",
    ],
)
def test_no_false_alarm(text):
    assert kinds(text) == []


def _sheet_project(clean, line: str) -> None:
    clean.edit("scores/2023/P05.yaml", "  1-01: 1\n", line)


def test_validate_refuses_a_mobile_number_in_a_reason(clean):
    _sheet_project(clean, "  1-01: {score: 0, reason: 未公示收费标准，联系人张某 13812345678}\n")
    result = clean.validate()
    assert result.code == 1
    assert (
        "scores/2023/P05.yaml: 机构 P05: 指标 1-01: 扣分原因含手机号码 138****5678：请去标识化，如 138****1234，或删去"
    ) in result.err


@pytest.mark.parametrize(
    "reason, found",
    [
        ("负责人身份证１４０９０２１９８００１０１１２３８", "居民身份证号 140***********1238"),
        ("负责人身份证 140902 19800101 1238", "居民身份证号 140***********1238"),
        ("负责人手机１３８１２３４５６７８", "手机号码 138****5678"),
        ("联系zhangsan＠qq.com", "电子邮箱 z***@qq.com"),
    ],
)
def test_validate_refuses_full_width_and_spaced_numbers_in_a_reason(clean, reason, found):
    _sheet_project(clean, f"  1-01: {{score: 0, reason: {reason}}}\n")
    result = clean.validate()
    assert result.code == 1
    assert f"scores/2023/P05.yaml: 机构 P05: 指标 1-01: 扣分原因含{found}：{HINT}" in result.err
    assert result.err.count(HINT) == 1


def test_validate_refuses_an_id_number_in_veto_evidence_and_build_writes_nothing(clean):
    clean.edit("scores/2023/P05.yaml", "veto: {}", f"veto: {{6-04: 考评员 {ID18} 连续两年未开展评价工作}}")
    result = clean.validate()
    assert result.code == 1
    assert (
        f"scores/2023/P05.yaml: 机构 P05: 指标 6-04: 否决项证据含居民身份证号 142***********1235：{HINT}" in result.err
    )
    assert ID18 not in result.err  # the message never repeats the number
    built = clean.cli("build", "--jobs", "1")
    assert built.code == 1 and "否决项证据含居民身份证号" in built.err
    assert not clean.path("output").exists()


def test_validate_refuses_personal_data_in_pages_announcement_and_roster(project):
    project.edit("content/pages/about.md", "接受社会监督。", "接受社会监督。经办人邮箱 li.si@example.com。")
    project.edit("content/2023/announcement.md", "## 考核方式", f"退款请汇至 {CARD}。\n\n## 考核方式")
    project.edit("scores/2023/roster.yaml", "name: 山西工程职业学院", "name: 山西工程职业学院（联系 13912345678）")
    result = project.validate()
    assert result.code == 1
    err = result.err
    assert f"content/pages/about.md: 正文含电子邮箱 l***@example.com：{HINT}" in err
    assert f"content/2023/announcement.md: 正文含银行卡号 622************0128：{HINT}" in err
    assert f"scores/2023/roster.yaml: 机构 P01: 机构名称含手机号码 139****5678：{HINT}" in err
    assert err.count(HINT) == 3


def test_the_repo_data_passes_with_its_contacts_on_pages(project):
    # content/pages/contact.md and accessibility.md give the configured phone and e-mail
    assert "0350-3020718" in project.read("content/pages/contact.md")
    result = project.validate()
    assert result.code == 0, result.err


def _gbk(project):
    path = project.path("content/site.yaml")
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))


@pytest.mark.parametrize(
    "breakage, message",
    [
        (_gbk, "无法读取网站设置："),
        (lambda p: p.write("content/site.yaml", ""), "网站设置须为映射"),
        (lambda p: p.write("content/site.yaml", "- title\n- contact\n"), "网站设置须为映射"),
        (
            lambda p: p.edit(
                "content/site.yaml", "base_url: https://example.org/xinzhou-pjjg/", "base_url: javascript:alert(1)//"
            ),
            "base_url 须为以 http:// 或 https:// 开头的完整网址，实为 javascript:alert(1)//",
        ),
    ],
)
def test_a_broken_site_yaml_is_the_only_problem_not_the_contacts_on_pages(project, breakage, message):
    """The bureau's contacts on contact.md and accessibility.md are not reported as personal data while
    site.yaml (which names them) cannot be read: only the real problem is."""
    from site_builder.build.flow import Layout, load
    from site_builder.errors import DataError

    breakage(project)
    with pytest.raises(DataError) as exc:
        load(Layout.from_args(root=str(project.root)))
    got = [str(p) for p in exc.value.problems]
    assert len(got) == 1, got
    assert got[0].startswith("content/site.yaml") and message in got[0], got
    result = project.validate()
    assert result.code == 1 and HINT not in result.err and message in result.err


def test_personal_data_on_pages_is_still_found_while_site_yaml_is_broken(project):
    project.write("content/site.yaml", "")
    project.edit("content/pages/about.md", "接受社会监督。", f"接受社会监督。经办人身份证 {ID18}。")
    result = project.validate()
    assert result.code == 1
    assert f"content/pages/about.md: 正文含居民身份证号 142***********1235：{HINT}" in result.err
    assert result.err.count(HINT) == 1


def test_every_kind_of_free_text_is_scanned():
    """Unit level: corrections' reasons and approvers, the status approver, self-assessment reasons,
    county, front matter; file, institution, indicator and field are named."""
    item = SimpleNamespace(indicator="1-02", reason=None, self_reason="自评联系人 13700001111")
    sheet = SimpleNamespace(path="scores/2023/P01.yaml", institution="P01", items=[item], veto=[])
    inst = SimpleNamespace(id="P01", name="甲学校", county="原平市 0350-6234567", code=None)
    roster = SimpleNamespace(path="scores/2023/roster.yaml", institutions=[inst])
    status = SimpleNamespace(path="scores/2023/status.yaml", approved_by="王五 15800001111")
    corr = SimpleNamespace(number=1, institution="P01", reason=f"复核（申请人身份证 {ID18_X}）", approved_by="领导小组")
    year = SimpleNamespace(year=2023, roster=roster, status=status, sheets=[sheet], corrections=[corr])
    config = SimpleNamespace(contact=SimpleNamespace(phone="0350-3020718", email="a@b.cn"))
    page = SimpleNamespace(slug="about", meta={"title": "关于 a@c.cn"}, html="<p>正文</p>")
    problems = Problems()
    check_site([year], config, [page], {}, Path("content"), lambda p: p.as_posix(), problems)
    got = [(p.file, p.institution, p.indicator, p.message) for p in problems.items]
    assert got == [
        ("scores/2023/roster.yaml", "P01", None, f"所在县（市、区）含电话号码 035****4567：{HINT}"),
        ("scores/2023/status.yaml", None, None, f"审定单位 approved_by含手机号码 158****1111：{HINT}"),
        ("scores/2023/P01.yaml", "P01", "1-02", f"自评扣分原因含手机号码 137****1111：{HINT}"),
        (
            "scores/2023/corrections.yaml",
            "P01",
            None,
            f"第 1 条更正的原因 reason含居民身份证号 110***********002X：{HINT}",
        ),
        ("content/pages/about.md", None, None, f"页面设置 title含电子邮箱 a***@c.cn：{HINT}"),
    ]


def _roster(*codes):
    insts = [SimpleNamespace(id=f"P0{k}", code=c) for k, c in enumerate(codes, 1)]
    return SimpleNamespace(path="scores/2023/roster.yaml", institutions=insts)


def test_roster_codes_are_checked_and_unique():
    problems = Problems()
    check_roster_codes(
        _roster(
            "91140900MA0000001F", None, "91140900MA0000001X", "9114090", "91140900MA0000001F", "91140900SYN0000001"
        ),
        problems,
    )
    assert [str(p) for p in problems.items] == [
        "scores/2023/roster.yaml: 机构 P03: code（统一社会信用代码）91140900MA0000001X 无效："
        "末位校验码不符，可能有字符录错；请按登记证书核对，不知道时写 null",
        "scores/2023/roster.yaml: 机构 P04: code（统一社会信用代码）9114090 无效：应为 18 位，实为 7 位；"
        "请按登记证书核对，不知道时写 null",
        "scores/2023/roster.yaml: 机构 P05: code（统一社会信用代码）91140900MA0000001F 与机构 P01 相同；"
        "每个机构的代码应各不相同",
        "scores/2023/roster.yaml: 机构 P06: code（统一社会信用代码）91140900SYN0000001 无效："
        "格式不符（前 8 位为数字，其余为数字或除 I、O、Z、S、V 外的大写字母，不含空格）；请按登记证书核对，不知道时写 null",
    ]


FORMAT = "格式不符（前 8 位为数字，其余为数字或除 I、O、Z、S、V 外的大写字母，不含空格）"


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91140900MA0000001F", None),
        ("91110000600037341L", None),
        ("91140900MA0000001X", "末位校验码不符，可能有字符录错"),
        ("91110000600037341l", FORMAT),  # python-stdnum accepts lower case; the roster does not
        ("9111 0000 6000 3734 1L", FORMAT),  # nor spaces
        ("91110000-600037341L", FORMAT),  # nor dashes
        ("91140900SYN0000001", FORMAT),
        ("A1140900MA0000001F", FORMAT),
        ("\u0669" + "1140900MA0000001F", FORMAT),  # an Arabic-Indic digit is no digit of the code
        ("\uff19" + "1140900MA0000001F", FORMAT),  # nor a full-width one
        ("911400MA0000001F", "应为 18 位，实为 16 位"),
        ("", "应为 18 位，实为 0 位"),
    ],
)
def test_each_kind_of_bad_code_is_named(code, why):
    """The roster's code goes through python-stdnum's `cn.uscc` (GB 32100-2015), in its strict form."""
    problems = Problems()
    check_roster_codes(_roster(code), problems)
    expected = (
        []
        if why is None
        else [
            f"scores/2023/roster.yaml: 机构 P01: code（统一社会信用代码）{code} 无效：{why}；请按登记证书核对，不知道时写 null"
        ]
    )
    assert [str(p) for p in problems.items] == expected


def test_validate_reports_a_bad_roster_code(project):
    project.edit("scores/2023/roster.yaml", "code: null", "code: 91140900MA0000001X")
    result = project.validate()
    assert result.code == 1
    assert "code（统一社会信用代码）91140900MA0000001X 无效：末位校验码不符" in result.err


def test_cached_sheets_are_scanned_like_fresh_ones():
    """The scan reads a cached sheet's plain tuples (no items built): same findings as the sheet."""
    from site_builder.domain.models import ItemScore, Sheet
    from site_builder.publish.privacy import _suspect_texts
    from site_builder.storage.records import Decimals, LazyItems, pack_sheet, unpack_sheet

    items = (
        ItemScore("1-01", Decimal("0"), "联系 13812345678", None, "自评 13900001111"),
        ItemScore("1-02", Decimal("1")),
    )
    sheet = Sheet("P05", dt.date(2024, 1, 8), False, False, items, (), "scores/2023/P05.yaml")
    cached = unpack_sheet(pack_sheet(sheet), Decimals())
    assert isinstance(cached.items, LazyItems)
    expected = [("1-01", "联系 13812345678", "自评 13900001111"), ("1-02", None, None)]
    assert _suspect_texts(sheet) == expected
    assert _suspect_texts(cached) == expected
    assert not cached.items.loaded  # not built by the scan
    clean_sheet = Sheet("P05", sheet.assessed_on, False, False, items[1:], (), sheet.path)
    assert _suspect_texts(unpack_sheet(pack_sheet(clean_sheet), Decimals())) == []


def test_objections_are_scanned():
    obj = SimpleNamespace(
        number=2,
        institution="P03",
        path="scores/2023/objections.yaml",
        subject="申请人 张某，电话 13612345678",
        reply="已电话联系 zhang@example.com 答复",
    )
    roster = SimpleNamespace(path="scores/2023/roster.yaml", institutions=[])
    status = SimpleNamespace(path="scores/2023/status.yaml", approved_by=None)
    year = SimpleNamespace(year=2023, roster=roster, status=status, sheets=[], corrections=[], objections=[obj])
    problems = Problems()
    check_site([year], None, [], {}, Path("content"), lambda p: p.as_posix(), problems)
    assert [str(p) for p in problems.items] == [
        f"scores/2023/objections.yaml: 机构 P03: 第 2 条异议的事项 subject含手机号码 136****5678：{HINT}",
        f"scores/2023/objections.yaml: 机构 P03: 第 2 条异议的答复 reply含电子邮箱 z***@example.com：{HINT}",
    ]
