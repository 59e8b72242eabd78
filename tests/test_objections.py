"""Issue 17: objections (异议) and their outcomes, the 公示 phases, final results.

The fixture is the mini project, approved, with one correction for P01; it goes through every phase:
公示中 (nothing yet; then two objections received and pending), 异议处理中 (one upheld, one rejected,
one late objection still pending after the deadline), 最终结果 (all decided, `final_on` set).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

import feedparser
import pytest
from bs4 import BeautifulSoup
from support.mini import make_mini
from support.objections import (
    LATE_PENDING,
    LATE_REJECTED,
    REJECTED,
    STATUS,
    UPHELD,
    objection_project,
    set_data,
)
from support.project import in_process as _in_process

from site_builder.domain import objections
from site_builder.read.project import RESERVED_FILES, load_project


def build(root):
    result = _in_process("build", "--root", str(root), "--jobs", "1")
    assert result.code == 0, result.err
    return root / "output"


def page(out, rel):
    return BeautifulSoup((out / rel).read_text(encoding="utf-8"), "html.parser")


def phase_box(out, rel):
    box = page(out, rel).find(class_="phase-box")
    return None if box is None else " ".join(box.get_text(" ", strip=True).split())


def handling_rows(soup):
    """The 异议处理情况 table as lists of cell texts."""
    table = soup.find(id="objection-handling").find_next("table", class_="objections")
    return [
        [" ".join(td.get_text(" ", strip=True).split()) for td in tr.find_all("td")]
        for tr in table.tbody.find_all("tr")
    ]


def counts(soup):
    dl = soup.find("dl", class_="objection-counts")
    return {d.dt.get_text(): d.dd.get_text() for d in dl.find_all("div")}


def results_phase(out):
    return json.loads((out / "2023/data/results.json").read_text(encoding="utf-8"))["phase"]


# --- the fixture through every phase --------------------------------------------------------


def test_phases_from_publicity_to_final(tmp_path):
    # 1. published, no objections: 公示中, shown on home, year and institution pages and in results.json
    root = objection_project(tmp_path, corrections=False)  # the correction comes with the upheld objection (3.)
    out = build(root)
    for rel in (
        "index.html",
        "2023/index.html",
        "2023/institutions/P01/index.html",
        "2023/institutions/P03/index.html",
    ):
        assert phase_box(out, rel) == "公示中 公示期： 2024年1月15日 至 2024年1月20日 。", rel
    assert results_phase(out) == "公示中"
    year = page(out, "2023/index.html")
    assert counts(year) == {"受理异议": "0 件", "异议成立": "0 件", "异议不成立": "0 件", "正在处理": "0 件"}
    assert "目前尚未收到异议。" in year.find(id="objection-handling").find_next("p").get_text()
    assert not page(out, "2023/institutions/P01/index.html").find(id="objection-handling")
    assert (out / "2023/data/objections.csv").read_bytes() == (
        "\ufeff序号,受理日期,逾期受理,机构编号,机构名称,异议事项,处理结果,办结日期,答复意见,更正序号\r\n".encode(
            "utf-8"
        )
    )
    assert not (out / "2023/wechat/final.html").exists()

    # 2. two objections received within the period, not yet decided: still 公示中
    set_data(
        root,
        UPHELD.replace("outcome: upheld", "outcome: pending").split("  decided_on")[0]
        + "\n"
        + REJECTED.replace("outcome: rejected", "outcome: pending").split("  decided_on")[0]
        + "\n",
        corrections=False,
    )
    out = build(root)
    assert phase_box(out, "2023/index.html") == (
        "公示中 公示期： 2024年1月15日 至 2024年1月20日 。已受理异议2件，其中2件正在处理。 查看异议处理情况"
    )
    assert results_phase(out) == "公示中"

    # 3. after the deadline: one upheld, one rejected, one received late and pending: 异议处理中
    set_data(root, UPHELD + REJECTED + LATE_PENDING)
    out = build(root)
    expected_box = (
        "异议处理中 公示期已于 2024年1月20日 结束。受理异议3件，已办结2件，尚有1件正在处理；"
        "处理结果将在本站公布，结果在此之后确定为最终结果。 查看异议处理情况"
    )
    for rel in ("index.html", "2023/index.html", "2023/institutions/M02/index.html"):
        assert phase_box(out, rel) == expected_box, rel
    assert results_phase(out) == "异议处理中"
    year = page(out, "2023/index.html")
    assert counts(year) == {"受理异议": "3 件", "异议成立": "1 件", "异议不成立": "1 件", "正在处理": "1 件"}
    assert handling_rows(year) == [
        [
            "2024年1月17日",
            "甲职业培训学校",
            "对指标1-02扣分有异议",
            "异议成立 （ 2024年1月22日 办结）",
            "复核后确认机构已公告收费标准，予以更正",
            "第 1 条更正",
        ],
        [
            "2024年1月18日",
            '<script>alert("name")</script>测试机构',
            "对总分有异议",
            "异议不成立 （ 2024年1月23日 办结）",
            "经复核，评分无误，维持原结果",
            "—",
        ],
        ["2024年1月22日 逾期受理", "甲职业培训学校", "对指标2-01扣分有异议", "正在处理", "—", "—"],
    ]
    link = year.find("a", string="第 1 条更正")
    assert link["href"] == "#correction-1" and year.find(id="correction-1").name == "tr"
    assert "复核结果：机构已公告收费标准" in year.find(id="correction-1").get_text()
    p01 = page(out, "2023/institutions/P01/index.html")
    assert [r[0] for r in handling_rows(p01)] == ["2024年1月17日", "2024年1月22日 逾期受理"]
    assert p01.find("a", string="第 1 条更正")["href"] == "#correction-1" and p01.find(id="correction-1")
    m01 = page(out, "2023/institutions/M01/index.html")
    assert handling_rows(m01) == [
        ["2024年1月18日", "对总分有异议", "异议不成立 （ 2024年1月23日 办结）", "经复核，评分无误，维持原结果", "—"]
    ]
    assert not page(out, "2023/institutions/M02/index.html").find(id="objection-handling")
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert "xinzhou-pjjg-2023-objections" not in [e.id for e in feed.entries]
    assert "异议处理结果" not in (out / "2023/wechat/article.html").read_text(encoding="utf-8")

    # final_on while an objection is pending is refused
    set_data(root, UPHELD + REJECTED + LATE_PENDING, final_on="2024-01-30")
    result = _in_process("validate", "--root", str(root))
    assert result.code == 1
    assert (
        "scores/2023/objections.yaml: 机构 P01: 第 3 条异议仍在处理（outcome: pending），但结果已于 2024-01-30 "
        "确定为最终结果（scores/2023/status.yaml 的 final_on）；请先填写处理结果，或删去 final_on"
    ) in result.err

    # 4. every objection decided but no final_on yet: back to 公示中, the period marked as over
    set_data(root, UPHELD + REJECTED + LATE_REJECTED)
    out = build(root)
    assert phase_box(out, "2023/index.html") == (
        "公示中 公示期： 2024年1月15日 至 2024年1月20日 。已受理异议3件，均已办结。"
        "公示期已结束，最终结果待确定。 查看异议处理情况"
    )

    # 5. final_on: 最终结果, the feed item, the line in the article and the second article
    set_data(root, UPHELD + REJECTED + LATE_REJECTED, final_on="2024-01-30")
    out = build(root)
    final_box = (
        "最终结果 2023年度考核结果已于 2024年1月30日 确定为最终结果。公示期间受理异议3件，异议成立1件（已更正），"
        "不成立2件。 查看异议处理情况"
    )
    for rel in ("index.html", "2023/index.html", "2023/institutions/P01/index.html"):
        assert phase_box(out, rel) == final_box, rel
    doc = json.loads((out / "2023/data/results.json").read_text(encoding="utf-8"))
    assert doc["phase"] == "最终结果" and doc["final_on"] == "2024-01-30" and doc["objection_deadline"] == "2024-01-20"
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    item = feed.entries[0]
    assert item.id == "xinzhou-pjjg-2023-objections"
    assert item.title == "2023年度考核结果异议处理结果"
    assert item.link == "https://results.example.gov.cn/kh/2023/index.html#objection-handling"
    assert item.published == "Tue, 30 Jan 2024 00:00:00 +0800"
    assert item.summary == (
        "公示期间共受理异议3件（其中逾期受理1件），经复核，异议成立1件，已更正相关结果；异议不成立2件。"
        "2023年度考核结果已于2024年1月30日确定为最终结果。"
    )
    assert feed.feed.updated == "Tue, 30 Jan 2024 00:00:00 +0800"
    article = BeautifulSoup((out / "2023/wechat/article.html").read_text(encoding="utf-8"), "html.parser")
    heading = article.find("p", string="异议处理结果")
    assert heading.find_next("p").get_text() == item.summary
    final = BeautifulSoup((out / "2023/wechat/final.html").read_text(encoding="utf-8"), "html.parser")
    roots = [el for el in final.contents if getattr(el, "name", None)]
    assert [r.name for r in roots] == ["meta", "section"]  # the charset, the article
    for tag in final.find_all(True):
        assert "class" not in tag.attrs and "id" not in tag.attrs
    full = "https://results.example.gov.cn/kh/2023/index.html"
    assert [(a["href"], a.get_text()) for a in final.find_all("a")] == [(full, full)]  # the address, as a link
    for table in final.find_all("table"):
        assert table.parent.name == "section" and "overflow-x:auto" in table.parent["style"].replace(" ", "")
        assert all(len(tr.find_all(["td", "th"])) <= 4 for tr in table.find_all("tr"))
    text = final.get_text()
    assert (
        "考核结果已于2024年1月30日确定为最终结果" in text
        and "https://results.example.gov.cn/kh/2023/index.html" in text
    )
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in final.find("table").find_all("tr")[1:]]
    assert rows[0] == ["2024年1月17日", "甲职业培训学校", "对指标1-02扣分有异议", "异议成立，已更正"]
    assert rows[2][0] == "2024年1月22日（逾期受理）"
    preview = page(out, "2023/wechat/final/index.html")
    frame = BeautifulSoup(preview.find("iframe")["srcdoc"], "html.parser")
    assert frame.body.section.get_text() == final.section.get_text() and preview.find(id="copy-article")
    assert preview.h1.get_text() == "2023年度最终结果公众号文章预览"
    # the editor's fields for the final article: its own title, a 摘要 within the limit, the year page
    title = "2023年度职业技能等级评价机构年度绩效考核最终结果"
    assert preview.find(id="field-title").get_text() == title and title not in final.get_text()  # not repeated
    digest = preview.find(id="field-digest").get_text()
    assert digest.startswith("考核结果已于2024年1月30日确定为最终结果。") and len(digest) <= 120
    assert "异议成立1件" in digest
    assert preview.find(id="field-source").get_text() == full
    assert page(out, "2023/wechat/index.html").h1.get_text() == "2023年度公众号文章预览"
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8")
    for rel in (
        "2023/wechat/final.html",
        "2023/wechat/final/index.html",
        "2023/data/objections.csv",
        "2023/data/objections.json",
    ):
        assert f"  {rel}\n" in sums


def test_exports_and_downloads(tmp_path):
    out = build(objection_project(tmp_path, UPHELD + REJECTED + LATE_PENDING))
    raw = (out / "2023/data/objections.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "序号",
        "受理日期",
        "逾期受理",
        "机构编号",
        "机构名称",
        "异议事项",
        "处理结果",
        "办结日期",
        "答复意见",
        "更正序号",
    ]
    assert rows[1] == [
        "1",
        "2024-01-17",
        "否",
        "P01",
        "甲职业培训学校",
        "对指标1-02扣分有异议",
        "异议成立",
        "2024-01-22",
        "复核后确认机构已公告收费标准，予以更正",
        "1",
    ]
    assert rows[3] == ["3", "2024-01-22", "是", "P01", "甲职业培训学校", "对指标2-01扣分有异议", "正在处理", "", "", ""]
    doc = json.loads((out / "2023/data/objections.json").read_text(encoding="utf-8"))
    assert doc["phase"] == "异议处理中" and doc["phase_code"] == "objections"
    assert doc["counts"] == {"received": 3, "upheld": 1, "rejected": 1, "pending": 1, "late": 1}
    assert doc["objections"][0] == {
        "number": 1,
        "received_on": "2024-01-17",
        "late": False,
        "institution": "P01",
        "institution_name": "甲职业培训学校",
        "subject": "对指标1-02扣分有异议",
        "outcome": "upheld",
        "outcome_label": "异议成立",
        "decided_on": "2024-01-22",
        "reply": "复核后确认机构已公告收费标准，予以更正",
        "correction": 1,
    }
    assert doc["objections"][2]["late"] is True and doc["objections"][2]["decided_on"] is None
    year = page(out, "2023/index.html")
    links = {li.a["href"]: li for li in year.find("ul", class_="downloads").find_all("li")}
    for name in ("objections.csv", "objections.json"):
        li = links[f"data/{name}"]
        assert li.code.get_text() == f"SHA-256: {hashlib.sha256((out / '2023/data' / name).read_bytes()).hexdigest()}"
        assert f"  2023/data/{name}\n" in (out / "SHA256SUMS").read_text(encoding="utf-8")


def test_csv_cells_are_never_formulas(tmp_path):
    out = build(
        objection_project(
            tmp_path, REJECTED.replace("subject: 对总分有异议", "subject: '=HYPERLINK(\"http://x\")对总分有异议'")
        )
    )
    rows = list(csv.reader(io.StringIO((out / "2023/data/objections.csv").read_bytes().decode("utf-8-sig"))))
    assert rows[1][5] == '\'=HYPERLINK("http://x")对总分有异议'
    assert (
        json.loads((out / "2023/data/objections.json").read_text(encoding="utf-8"))["objections"][0]["subject"]
        == '=HYPERLINK("http://x")对总分有异议'
    )


def test_not_published_no_phase(tmp_path):
    root = make_mini(tmp_path / "m")
    status = root / "scores/2023/status.yaml"
    status.write_text(
        status.read_text(encoding="utf-8").replace("published_on: 2024-01-15", "published_on: null"), encoding="utf-8"
    )
    out = build(root)
    assert phase_box(out, "2023/index.html") is None and phase_box(out, "index.html") is None
    assert results_phase(out) is None
    assert not page(out, "2023/index.html").find(id="objection-handling")


def test_subject_and_reply_are_escaped(tmp_path):
    hostile = UPHELD.replace("对指标1-02扣分有异议", "'<img src=x onerror=alert(1)>对指标有异议'")
    out = build(objection_project(tmp_path, hostile))
    html = (out / "2023/index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;对指标有异议" in html


def test_a_changed_objections_file_renders_the_pages_again(tmp_path):
    root = objection_project(tmp_path, UPHELD + REJECTED)
    assert _in_process("build", "--root", str(root), "--jobs", "1").code == 0  # with the page cache
    set_data(root, UPHELD + REJECTED + LATE_PENDING)
    assert _in_process("build", "--root", str(root), "--jobs", "1").code == 0
    out = root / "output"
    assert [r[0] for r in handling_rows(page(out, "2023/institutions/P01/index.html"))] == [
        "2024年1月17日",
        "2024年1月22日 逾期受理",
    ]
    assert phase_box(out, "2023/institutions/M02/index.html").startswith("异议处理中")


# --- the privacy hook and the ledger hook ---------------------------------------------------


def test_texts_for_the_privacy_scan(tmp_path):
    root = objection_project(tmp_path, UPHELD + REJECTED + LATE_PENDING)
    [year] = load_project(root / "scores", root / "rubric", base=root)
    assert objections.texts(year) == [
        ("scores/2023/objections.yaml", "P01", "第 1 条异议的异议事项 subject", "对指标1-02扣分有异议"),
        ("scores/2023/objections.yaml", "P01", "第 1 条异议的答复意见 reply", "复核后确认机构已公告收费标准，予以更正"),
        ("scores/2023/objections.yaml", "M01", "第 2 条异议的异议事项 subject", "对总分有异议"),
        ("scores/2023/objections.yaml", "M01", "第 2 条异议的答复意见 reply", "经复核，评分无误，维持原结果"),
        ("scores/2023/objections.yaml", "P01", "第 3 条异议的异议事项 subject", "对指标2-01扣分有异议"),
    ]


def test_the_file_is_reserved_and_offered_to_the_ledger():
    assert objections.OBJECTIONS_FILE == "objections.yaml"
    assert objections.OBJECTIONS_FILE in RESERVED_FILES and objections.OBJECTIONS_FILE in objections.LEDGER_FILES


# --- every rule, with its message ------------------------------------------------------------

F = "scores/2023/objections.yaml"
S = "scores/2023/status.yaml"


@pytest.mark.parametrize(
    "yaml_text, final_on, message",
    [
        (
            UPHELD.replace("institution: P01", "institution: P09"),
            None,
            f"{F}: 机构 P09: 第 1 条异议的机构 P09 不在 2023 年名单（scores/2023/roster.yaml）中；请核对机构编号",
        ),
        (
            UPHELD.replace("outcome: upheld", "outcome: no"),
            None,
            f"{F}: 机构 P01: 第 1 条异议的 outcome（处理结果）为 false（YAML 把 yes/no、true/false 读作真假值）；"
            "允许：pending（正在处理）、upheld（异议成立）、rejected（异议不成立）",
        ),
        (
            UPHELD.replace("outcome: upheld", "outcome: accepted"),
            None,
            f"{F}: 机构 P01: 第 1 条异议的 outcome（处理结果）为 accepted；允许：pending（正在处理）、upheld（异议成立）、"
            "rejected（异议不成立）",
        ),
        (
            UPHELD.replace("received_on: 2024-01-17", "received_on: 2024-01-14"),
            None,
            f"{F}: 机构 P01: 第 1 条异议的受理日期 2024-01-14（received_on）早于结果公示日期 2024-01-15"
            f"（{S} 的 published_on）；请核对日期",
        ),
        (
            REJECTED.replace("decided_on: 2024-01-23", "decided_on: 2024-01-16"),
            None,
            f"{F}: 机构 M01: 第 1 条异议的办结日期 2024-01-16（decided_on）早于受理日期 2024-01-18（received_on）；请核对日期",
        ),
        (
            UPHELD.replace("  correction: 1\n", ""),
            None,
            f"{F}: 机构 P01: 第 1 条异议异议成立（upheld），须用 correction 写明由此作出的更正是 scores/2023/corrections.yaml "
            "中的第几条（从 1 起）",
        ),
        (
            UPHELD.replace("institution: P01", "institution: M01"),
            None,
            f"{F}: 机构 M01: 第 1 条异议针对机构 M01，但引用的第 1 条更正是对机构 P01 的更正；请核对更正序号",
        ),
        (
            UPHELD + UPHELD.replace("2024-01-17", "2024-01-18"),
            None,
            f"{F}: 机构 P01: 第 2 条异议与第 1 条异议引用了同一条更正（第 1 条）；每条更正只能对应一条异议",
        ),
        (
            UPHELD.replace("correction: 1", "correction: 2"),
            None,
            f"{F}: 机构 P01: 第 1 条异议引用第 2 条更正，但 scores/2023/corrections.yaml 中只有 1 条更正；请核对序号，或先登记更正",
        ),
        (
            UPHELD.replace("correction: 1", "correction: 第一条"),
            None,
            f"{F}: 机构 P01: 第 1 条异议的 correction 须为正整数（scores/2023/corrections.yaml 中更正的序号，从 1 起），实为 第一条",
        ),
        (
            UPHELD.replace("received_on: 2024-01-17", "received_on: 2024-01-23").replace(
                "decided_on: 2024-01-22", "decided_on: 2024-01-24"
            ),
            None,
            f"{F}: 机构 P01: 第 1 条异议引用的第 1 条更正日期 2024-01-22 早于异议受理日期 2024-01-23；请核对更正序号",
        ),
        (
            REJECTED.replace("  reply: 经复核，评分无误，维持原结果\n", ""),
            None,
            f"{F}: 机构 M01: 第 1 条异议的处理结果为 rejected（异议不成立），须填写 reply（答复意见：处理的理由）",
        ),
        (
            REJECTED.replace("  decided_on: 2024-01-23\n", ""),
            None,
            f"{F}: 机构 M01: 第 1 条异议的处理结果为 rejected（异议不成立），须填写 decided_on（办结日期，格式 YYYY-MM-DD）；"
            "尚未办结的请写 outcome: pending",
        ),
        (
            REJECTED + "  correction: 1\n",
            None,
            f"{F}: 机构 M01: 第 1 条异议异议不成立（rejected），不应引用更正（correction）；如结果因此作了更正，outcome 应为 upheld",
        ),
        (
            LATE_PENDING + "  decided_on: 2024-01-25\n",
            None,
            f"{F}: 机构 P01: 第 1 条异议仍在处理（outcome: pending），不应有 decided_on；已办结的请将 outcome 改为 upheld 或 rejected",
        ),
        (
            LATE_PENDING + "  correction: 1\n",
            None,
            f"{F}: 机构 P01: 第 1 条异议仍在处理（outcome: pending），不应引用更正（correction）；异议成立并已更正的请将 outcome "
            "改为 upheld",
        ),
        (
            REJECTED + "  objector: 张三\n",
            None,
            f"{F}: 机构 M01: 第 1 条异议有未知字段 objector；允许的字段：received_on、institution、subject、outcome、decided_on、"
            "reply、correction",
        ),
        (
            REJECTED.replace("decided_on: 2024-01-23", "decided_on: '2024-02-30'"),
            None,
            f"{F}: 机构 M01: 第 1 条异议的 decided_on（办结日期）2024-02-30 不是真实存在的日期；请核对年、月、日",
        ),
        (
            REJECTED.replace("decided_on: 2024-01-23", "decided_on: 2024-02-30"),
            None,
            f"{F}:5: 日期 2024-02-30 不存在（没有这一天）；请写实际的日期，格式 YYYY-MM-DD",
        ),
        (
            REJECTED.replace("received_on: 2024-01-18", "received_on: 1月18日"),
            None,
            f"{F}: 机构 M01: 第 1 条异议的 received_on（受理日期）须为日期，格式 YYYY-MM-DD，实为 1月18日",
        ),
        (
            REJECTED.replace("received_on: 2024-01-18", "received_on: null"),
            None,
            f"{F}: 机构 M01: 第 1 条异议缺少 received_on（受理日期，格式 YYYY-MM-DD）",
        ),
        (
            REJECTED.replace("subject: 对总分有异议", "subject: ''"),
            None,
            f"{F}: 机构 M01: 第 1 条异议缺少 subject（异议事项，如 对指标1-02扣分有异议；不写异议人的个人信息）",
        ),
        (
            REJECTED.replace("reply: 经复核，评分无误，维持原结果", "reply: 3"),
            None,
            f"{F}: 机构 M01: 第 1 条异议的 reply（答复意见）须为文字",
        ),
        (
            REJECTED.replace("reply: 经复核，评分无误，维持原结果", 'reply: "经复核\\u200b无误"'),
            None,
            f"{F}: 机构 M01: 第 1 条异议的 reply（答复意见）含不允许的字符 U+200B（零宽或文字方向控制字符）；请删除它（只能有可见文字和空格）",
        ),
        (
            REJECTED.replace("subject: 对总分有异议", "subject: " + "对总分有异议" * 200),
            None,
            f"{F}: 机构 M01: 第 1 条异议的 subject（异议事项）长度 1200 字，超过上限 1000 字；请精简",
        ),
        (
            REJECTED.replace("  institution: M01\n", ""),
            None,
            f"{F}: 第 1 条异议缺少 institution（被提出异议的机构编号，如 P03）",
        ),
        (
            "received_on: 2024-01-17\n",
            None,
            f"{F}: objections.yaml 须为列表，每条异议含 received_on、institution、subject、outcome、decided_on、reply、correction；"
            "没有异议时可删去本文件",
        ),
        (
            "- 对P01有异议\n",
            None,
            f"{F}: 第 1 条异议须为映射，含 received_on、institution、subject、outcome、decided_on、reply、correction",
        ),
        (REJECTED + "  reply: 重复\n", None, f"{F}:7: 键 reply 重复出现（第 6 行和第 7 行）；每个键只能写一次"),
        ("- received_on: [2024\n", None, f"{F}:1: YAML 格式错误：方括号 [ ] 没有正确结束"),  # the line of the [
        (
            REJECTED,
            "2024-01-22",
            f"{F}: 机构 M01: 第 1 条异议的办结日期 2024-01-23（decided_on）晚于结果确定为最终结果的日期 2024-01-22"
            f"（{S} 的 final_on）；请核对日期",
        ),
        (
            REJECTED,
            "2024-01-19",
            f"{S}: final_on（结果确定为最终结果的日期）2024-01-19 早于 objection_deadline（异议截止日期）2024-01-20；"
            "公示期满后才能确定最终结果",
        ),
        (REJECTED, "30日", f"{S}: final_on 须为日期，格式 YYYY-MM-DD，实为 30日"),
    ],
)
def test_each_rule_has_a_clear_message(tmp_path, yaml_text, final_on, message):
    root = objection_project(tmp_path, yaml_text, final_on=final_on)
    result = _in_process("validate", "--root", str(root))
    assert result.code == 1
    assert "Traceback" not in result.err
    lines = [line.strip() for line in result.err.splitlines()[1:]]
    assert any(line.startswith(message) for line in lines), result.err
    assert not (root / "output").exists()


def test_final_on_needs_a_complete_publicity_and_is_refused_for_a_draft(tmp_path):
    root = make_mini(tmp_path / "m")  # draft
    status = root / "scores/2023/status.yaml"
    status.write_text(status.read_text(encoding="utf-8") + "final_on: 2024-01-30\n", encoding="utf-8")
    result = _in_process("validate", "--root", str(root))
    assert result.err == (
        "错误：数据有 1 处问题，未写出任何文件：\n"
        f"  {S}: status 为 draft（草稿）时不能确定最终结果；请删去 final_on，或审定后将 status 改为 approved\n"
    )
    status.write_text(
        STATUS.replace("objection_deadline: 2024-01-20\n", "objection_deadline: null\n").replace(
            "status: approved", "status: sample"
        )
        + "final_on: 2024-01-30\n",
        encoding="utf-8",
    )
    result = _in_process("validate", "--root", str(root))
    assert result.err == (
        "错误：数据有 1 处问题，未写出任何文件：\n"
        f"  {S}: 填写 final_on（结果确定为最终结果的日期）须先填写 published_on（公示日期）和 "
        "objection_deadline（异议截止日期）\n"
    )


def test_no_published_on_means_no_objections(tmp_path):
    root = objection_project(tmp_path, REJECTED)
    status = root / "scores/2023/status.yaml"
    status.write_text(
        STATUS.replace("status: approved", "status: draft").replace("published_on: 2024-01-15", "published_on: null"),
        encoding="utf-8",
    )
    result = _in_process("validate", "--root", str(root))
    assert f"{F}: 机构 M01: 第 1 条异议：结果尚未公示（{S} 未填写 published_on），不应有异议记录" in result.err


def test_late_objection_is_allowed_and_every_problem_is_reported_at_once(tmp_path):
    root = objection_project(tmp_path, LATE_PENDING)
    result = _in_process("validate", "--root", str(root))
    assert result.code == 0
    assert result.out.endswith("  阶段：异议处理中；异议 1 件：成立 0，不成立 0，正在处理 1（逾期受理 1）\n")
    bad = REJECTED.replace("institution: M01", "institution: P09") + LATE_PENDING.replace(
        "outcome: pending", "outcome: accepted"
    )
    set_data(root, bad)
    result = _in_process("validate", "--root", str(root))
    assert result.err.startswith("错误：数据有 2 处问题")
    assert "第 1 条异议的机构 P09" in result.err and "第 2 条异议的 outcome（处理结果）为 accepted" in result.err


def test_an_empty_file_means_no_objections(tmp_path):
    out = build(objection_project(tmp_path, "# 暂无异议\n", corrections=False))
    assert phase_box(out, "2023/index.html") == "公示中 公示期： 2024年1月15日 至 2024年1月20日 。"


# --- the new sections in a real browser ------------------------------------------------------


@pytest.fixture(scope="module")
def phase_sites(tmp_path_factory):
    """The fixture built in the 异议处理中 phase (late and pending rows) and in the final phase."""
    sites = {}
    for name, data, final_on in (
        ("objections", UPHELD + REJECTED + LATE_PENDING, None),
        ("final", UPHELD + REJECTED + LATE_REJECTED, "2024-01-30"),
    ):
        root = objection_project(tmp_path_factory.mktemp(name), data, final_on=final_on)
        announcement = root / "content/2023/announcement.md"  # without mini's hostile link (an <a> without href)
        announcement.write_text(announcement.read_text(encoding="utf-8").split("<script>")[0], encoding="utf-8")
        sites[name] = build(root)
    return sites


BROWSER_PAGES = [
    ("objections", "index.html"),
    ("objections", "2023/index.html"),
    ("objections", "2023/institutions/P01/index.html"),
    ("final", "2023/index.html"),
    ("final", "2023/wechat/final/index.html"),
]


@pytest.mark.parametrize("which, rel", BROWSER_PAGES)
def test_pages_at_phone_width_accessible_and_without_sideways_scroll(phase_sites, chromium_browser, which, rel):
    from support.browser import serve
    from support.quality import PageWatch, axe_serious, axe_source, sideways_scroll, tab

    axe = axe_source()
    with serve(phase_sites[which]) as base:
        for viewport in ({"width": 390, "height": 844}, {"width": 1366, "height": 768}):
            page = tab(chromium_browser, viewport)  # the worker's open page of that size, navigated here
            watch = PageWatch(page)
            try:
                page.goto(base + rel, wait_until="load")
                problems = sideways_scroll(page) + axe_serious(page, axe)
            finally:
                watch.stop()
            problems = watch.problems + problems
            assert problems == [], (viewport, problems)


def test_pages_are_valid_html(phase_sites):
    from support.quality import validate_html

    assert validate_html([phase_sites[which] / rel for which, rel in BROWSER_PAGES]) == []


def test_the_ledger_records_the_objections_file_and_exports(tmp_path):
    root = objection_project(tmp_path, UPHELD + REJECTED + LATE_PENDING)
    sheet = (root / "scores/2023/P01.yaml").read_text(encoding="utf-8")
    (root / "scores/2023/M02.yaml").write_text(sheet.replace("institution: P01", "institution: M02"), encoding="utf-8")
    (root / "scores/2023/corrections.yaml").unlink()  # before the first publication there is nothing to correct
    set_data(root, REJECTED + LATE_PENDING, corrections=False)
    result = _in_process("build", "--root", str(root), "--jobs", "1", "--publish")
    assert result.code == 0, result.err
    entry = json.loads((root / "scores/2023/ledger.json").read_text(encoding="utf-8"))["entries"][-1]
    assert (
        entry["inputs"]["scores/2023/objections.yaml"]
        == hashlib.sha256((root / "scores/2023/objections.yaml").read_bytes()).hexdigest()
    )
    assert {"2023/data/objections.csv", "2023/data/objections.json"} <= set(entry["files"])


def test_the_privacy_scan_covers_subject_and_reply(tmp_path):
    root = objection_project(tmp_path, REJECTED.replace("维持原结果", "维持原结果，已电话告知13612345678"))
    result = _in_process("validate", "--root", str(root))
    assert result.code == 1
    assert f"{F}: 机构 M01: 第 1 条异议的答复 reply含手机号码 136****5678" in result.err
