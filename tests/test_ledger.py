"""The publication ledger: each of the 13 ways around the old record (issue 12) refused or handled,
a second year, the ledger head on what readers keep, and `verify`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from support.ledger import BOARD, FIRST, SECOND, add_2024, correction, set_item, write_corrections
from support.mini import approved_mini
from support.project import in_process as _in_process

from site_builder.domain.facts import FactKey, to_text
from site_builder.record import ledger as ledger_mod


def build(root, *args):
    return _in_process("build", "--root", str(root), "--jobs", "1", *args)


def validate(root):
    return _in_process("validate", "--root", str(root))


def ledger_doc(root, year=2023):
    return json.loads((root / f"scores/{year}/ledger.json").read_text(encoding="utf-8"))


def err_lines(result):
    return result.err.splitlines()[1:]


def _own_copy(made: Path, tmp_path: Path) -> Path:
    """A test's own copy of a project made once for the module (a project folder holds no absolute
    path: its output, ledger and marker are the same wherever it lies)."""
    root = tmp_path / made.name
    shutil.copytree(made, root, symlinks=True)
    return root


@pytest.fixture(scope="module")
def published_once(tmp_path_factory) -> Path:
    root = approved_mini(tmp_path_factory.mktemp("published"))
    result = build(root, "--publish")
    assert result.code == 0, result.err
    return root


@pytest.fixture
def published(published_once, tmp_path):
    """The approved mini project, published once (made once for the module; each test has its own copy)."""
    return _own_copy(published_once, tmp_path)


@pytest.fixture(scope="module")
def corrected_once(published_once, tmp_path_factory) -> Path:
    root = _own_copy(published_once, tmp_path_factory.mktemp("corrected"))
    set_item(root, "P01", "1-02", 1)
    set_item(root, "P01", "2-01", 1)
    write_corrections(root, FIRST, SECOND)
    result = build(root, "--publish")
    assert result.code == 0, result.err
    doc = ledger_doc(root)
    assert [e["n"] for e in doc["entries"]] == [1, 2]
    assert [c["number"] for c in doc["entries"][1]["corrections"]] == [1, 2]
    return root


@pytest.fixture
def corrected(corrected_once, tmp_path):
    """Published, then two corrections of the same date published as the second entry (made once
    for the module; each test has its own copy)."""
    return _own_copy(corrected_once, tmp_path)


def assert_refused(root, *expected):
    """validate and build --publish both refuse, with these lines; the output stays as it was."""
    before = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    ledger_before = (
        (root / "scores/2023/ledger.json").read_bytes() if (root / "scores/2023/ledger.json").exists() else None
    )
    for result in (validate(root), build(root, "--publish")):
        assert result.code == 1
        assert "Traceback" not in result.err
        lines = err_lines(result)
        for line in expected:
            assert line in lines, (line, result.err)
    assert {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()} == before
    now = (root / "scores/2023/ledger.json").read_bytes() if (root / "scores/2023/ledger.json").exists() else None
    assert now == ledger_before


# --- the ledger itself ---------------------------------------------------------------------------


def test_first_publication_is_recorded_and_chained(published):
    doc = ledger_doc(published)
    [entry] = doc["entries"]
    assert entry["n"] == 1 and entry["date"] == "2024-01-15" and entry["previous"] is None
    assert (
        entry["hash"]
        == hashlib.sha256(
            ledger_mod.canonical({k: v for k, v in entry.items() if k not in ("hash", "files", "site_files")})
        ).hexdigest()
    )
    assert entry["state_sha256"] == hashlib.sha256(ledger_mod.canonical(doc["published"])).hexdigest()
    assert set(entry["inputs"]) == {
        "rubric/2023.yaml",
        "scores/2023/roster.yaml",
        "scores/2023/status.yaml",
        "scores/2023/P01.yaml",
        "scores/2023/P02.yaml",
        "scores/2023/M01.yaml",
        "scores/2023/M02.yaml",
    }
    assert (
        entry["inputs"]["scores/2023/P01.yaml"]
        == hashlib.sha256((published / "scores/2023/P01.yaml").read_bytes()).hexdigest()
    )
    sums = dict(
        reversed(line.split("  ", 1))
        for line in (published / "output/SHA256SUMS").read_text(encoding="utf-8").splitlines()
    )
    assert entry["files"] == {p: h for p, h in sums.items() if p.startswith("2023/") and p != "2023/data/ledger.json"}
    assert "2023/data/results.json" in entry["files"]
    # and every other published file (issue 24, point 6), the checksums and the ledgers excepted
    assert entry["site_files"] == {
        p: h for p, h in sums.items() if not p.startswith("2023/") and p not in ("SHA256SUMS", ".site-builder-output")
    }
    assert {"index.html", "feed.xml", "sitemap.xml", "robots.txt", "files.txt"} <= set(entry["site_files"])
    # everything published is covered
    state = doc["published"]
    assert state["P01/1-02/score"] == "0" and state["P01/1-02/reason"].endswith("缺少资料")
    assert state["P02/6-04/veto"] == "1" and state["P02/6-04/evidence"] == "连续两年未开展评价工作（测试）"
    assert state["P01/name"] == "甲职业培训学校" and state["P03/active"] is False
    assert state["rubric/grade/A/min"] == "90" and state["rubric/1-01/max"] == "1"
    assert state["status/objection_deadline"] == "2024-01-20"
    # the published copy is the repo's ledger, byte for byte
    assert (published / "output/2023/data/ledger.json").read_bytes() == (
        published / "scores/2023/ledger.json"
    ).read_bytes()


def test_publishing_again_without_changes_adds_nothing(published):
    before = {p: p.read_bytes() for p in (published / "output").rglob("*") if p.is_file()}
    ledger_before = (published / "scores/2023/ledger.json").read_bytes()
    assert build(published, "--publish").code == 0
    assert (published / "scores/2023/ledger.json").read_bytes() == ledger_before
    assert {p: p.read_bytes() for p in (published / "output").rglob("*") if p.is_file()} == before


def test_the_head_is_on_every_page_in_the_feed_and_the_article(corrected):
    root = corrected
    doc = ledger_doc(root)
    head = doc["entries"][-1]["hash"][:12]
    out = root / "output"
    pages = list(out.rglob("index.html"))
    assert len(pages) > 10
    for p in pages:
        footer = BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").find("footer")
        mark = footer.find(class_="ledger-head")
        assert mark["data-ledger-head"] == head, p
        assert mark.code.get_text() == head
        assert "第 2 次发布" in mark.get_text()
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert len(feed.entries) == 3
    # each item carries the hash of the publication that first carried it, and never changes after
    first = doc["entries"][0]["hash"][:12]
    for entry in feed.entries:
        if entry.id.endswith("-results"):
            assert entry.summary.endswith(f"2023年度发布记录校验码：{first}（第1次发布）。")
        else:
            assert entry.summary.endswith(f"2023年度发布记录校验码：{head}（第2次发布）。")
    article = (out / "2023/wechat/article.html").read_text(encoding="utf-8")
    assert f"2023年度发布记录校验码：{head}" in BeautifulSoup(article, "html.parser").find_all("p")[-2].get_text()
    # the year page's 发布记录 lists each publication with its hash
    year = BeautifulSoup((out / "2023/index.html").read_text(encoding="utf-8"), "html.parser")
    rows = [
        [td.get_text() for td in tr.find_all("td")]
        for tr in year.find(id="ledger").find_next("table").tbody.find_all("tr")
    ]
    assert rows == [
        ["第 1 次", "2024-01-15", "首次发布", doc["entries"][0]["hash"]],
        ["第 2 次", "2024-01-25", "更正第 1、2 条", doc["entries"][1]["hash"]],
    ]
    assert year.find(id="ledger").find_next("a", href="data/ledger.json")


def test_an_unpublished_year_says_so(tmp_path):
    from support.mini import make_mini

    root = make_mini(tmp_path / "m")
    assert build(root).code == 0
    page = BeautifulSoup((root / "output/2023/index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.find("footer").find(class_="ledger-head").get_text() == "2023年度发布记录校验码：尚未正式发布"
    assert page.find(id="ledger").find_next("p").get_text() == "本年度结果尚未正式发布，还没有发布记录。"
    assert json.loads((root / "output/2023/data/ledger.json").read_text(encoding="utf-8"))["entries"] == []


def test_files_changed_without_the_data_make_a_new_entry(published, tmp_path):
    """New templates (or code) change the published files: a new entry records them."""
    from site_builder.build.flow import Layout
    from site_builder.build.flow import build as build_api

    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", templates)
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("发布单位：", "发布单位（新版式）："), encoding="utf-8")
    layout = Layout.from_args(str(published))
    layout = Layout(layout.root, layout.scores, layout.rubric, layout.content, layout.out, templates)
    build_api(layout, publish_mode=True, workers=1, cache=True, today=dt.date(2030, 1, 1))
    doc = ledger_doc(published)
    assert [e["corrections"] for e in doc["entries"]] == [[], []]
    assert doc["entries"][1]["date"] == "2024-01-15"
    head = doc["entries"][1]["hash"][:12]
    html = (published / "output/2023/index.html").read_text(encoding="utf-8")
    assert "发布单位（新版式）" in html and f'data-ledger-head="{head}"' in html
    result = _in_process("verify", str(published / "output"), "--root", str(published))
    assert result.code == 0  # every byte as the ledger records; the repo's templates are what is pending
    assert "仓库中另有尚未发布的改动" in result.out and "  index.html: 内容与按仓库数据生成的不同" in result.out
    assert json.loads((published / "output/2023/data/ledger.json").read_text(encoding="utf-8")) == doc


# --- the 13 ways (issue 12) ----------------------------------------------------------------------


def test_1_removing_a_published_correction(corrected):
    write_corrections(corrected, FIRST)
    assert_refused(
        corrected,
        "  scores/2023/corrections.yaml: 已发布的第 2 条更正（2024-01-25）被删除了；已发布的更正不能删除，"
        "请从版本库恢复；要撤销它，另加一条更正",
    )


@pytest.mark.parametrize(
    "old, new",
    [
        ("reason: 复核结果：资料齐全", "reason: 复核结果：资料基本齐全"),
        (f"approved_by: {BOARD}", "approved_by: 局办公室"),
        ("2024-01-25", "2024-01-26"),
    ],
)
def test_2_to_4_editing_a_published_correction(corrected, old, new):
    write_corrections(corrected, FIRST, SECOND.replace(old, new))
    assert_refused(
        corrected,
        "  scores/2023/corrections.yaml: 机构 P01: 已发布的第 2 条更正（2024-01-25）被改动了；已发布的更正不能修改"
        "（日期、改动、原因、审批单位都不能改），请从版本库恢复；要改正它，另加一条更正",
    )


def test_5_a_false_old_in_a_published_correction(corrected):
    write_corrections(corrected, FIRST.replace("old: 0, new: 1", "old: 0.5, new: 1"), SECOND)
    assert_refused(
        corrected,
        "  scores/2023/corrections.yaml: 机构 P01: 已发布的第 1 条更正（2024-01-25）被改动了；已发布的更正不能修改"
        "（日期、改动、原因、审批单位都不能改），请从版本库恢复；要改正它，另加一条更正",
    )


def test_6_reordering_corrections_of_the_same_date(corrected):
    write_corrections(corrected, SECOND, FIRST)
    assert_refused(
        corrected,
        "  scores/2023/corrections.yaml: 已发布的第 1 条更正（2024-01-25）被移到了第 2 条；已发布的更正不能调换顺序，新的更正只能加在末尾",
        "  scores/2023/corrections.yaml: 已发布的第 2 条更正（2024-01-25）被移到了第 1 条；已发布的更正不能调换顺序，新的更正只能加在末尾",
    )


def test_7_deleting_the_ledger_and_publishing_again(corrected, tmp_path):
    root = corrected
    (root / "scores/2023/ledger.json").unlink()
    result = build(root, "--publish")
    assert result.code == 1
    assert err_lines(result) == [
        "  scores/2023/ledger.json: 发布记录不见了，但上一次发布的网站（output/2023/data/ledger.json）已有 2 次发布；"
        "已发布的记录不能丢失或改写；请从版本库恢复 scores/2023/ledger.json（git checkout -- scores/2023/ledger.json）"
    ]
    assert not (root / "scores/2023/ledger.json").exists()
    # a plain build would erase the evidence: refused too
    assert build(root).code == 1
    # the output deleted as well: a kept copy given with --previous still catches it
    copy = tmp_path / "kept"
    shutil.copytree(root / "output", copy)
    shutil.rmtree(root / "output")
    result = build(root, "--publish", "--previous", str(copy))
    assert result.code == 1 and "发布记录不见了，但上一次发布的网站" in result.err
    result = build(root, "--publish", "--previous", str(tmp_path / "nowhere"))
    assert (
        result.err
        == f"错误：--previous 指定的 {tmp_path / 'nowhere'} 不是目录；请给出上一次发布的网站副本（含 SHA256SUMS 的目录）\n"
    )
    # only its pages kept (the ledger.json of the copy deleted): the head in the footer is enough
    (copy / "2023/data/ledger.json").unlink()
    result = build(root, "--publish", "--previous", str(copy))
    assert result.code == 1
    assert re.search(
        r"上一次发布的网站（.*2023/index\.html）显示发布记录校验码 [0-9a-f]{12}，但发布记录中没有这一次发布", result.err
    )


def test_7b_an_older_ledger_put_back(published):
    root = published
    first = (root / "scores/2023/ledger.json").read_bytes()
    set_item(root, "P01", "1-02", 1)
    write_corrections(root, FIRST)
    assert build(root, "--publish").code == 0
    set_item(root, "P01", "2-01", 1)
    write_corrections(root, FIRST, SECOND)
    (root / "scores/2023/ledger.json").write_bytes(first)  # the record as it was before the correction
    assert validate(root).code == 0  # consistent in itself: both corrections look new
    result = build(root, "--publish")
    assert result.code == 1
    assert (
        "scores/2023/ledger.json: 发布记录只有 1 次发布，少于上一次发布的网站（output/2023/data/ledger.json）所示的 2 次"
        in result.err
    )


def test_8_editing_the_ledger_to_match_changed_sheets(published):
    root = published
    set_item(root, "P01", "1-02", 1)
    doc = ledger_doc(root)
    doc["published"]["P01/1-02/score"] = "1"
    del doc["published"]["P01/1-02/reason"]
    del doc["published"]["P01/1-02/self"]
    path = root / "scores/2023/ledger.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    assert_refused(
        root,
        "  scores/2023/ledger.json: 发布记录中的已发布内容（published）与最后一次发布的校验值不符：它被改动过；"
        "它由 build --publish 写出，不能手改；请从版本库恢复（git checkout -- scores/2023/ledger.json）",
    )
    # rewritten consistently (hashes recomputed): the chain holds, but the published site shows otherwise
    entry = doc["entries"][0]
    entry["state_sha256"] = ledger_mod.sha(doc["published"])
    entry["hash"] = ledger_mod.entry_hash(entry)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    assert validate(root).code == 0  # the data alone cannot tell...
    result = build(root, "--publish")
    assert result.code == 1  # ...the previous publication can
    assert re.fullmatch(
        r"  scores/2023/ledger\.json: 发布记录的第 1 次发布（校验码 [0-9a-f]{12}）与上一次发布的网站（output/2023/data/ledger\.json，"
        r"校验码 [0-9a-f]{12}）不同；已发布的记录不能丢失或改写；请从版本库恢复 scores/2023/ledger\.json（git checkout -- scores/2023/ledger\.json）",
        err_lines(result)[0],
    )
    result = _in_process("verify", str(root / "output"), "--root", str(root))
    assert (
        result.code == 1
        and "网站的发布记录不是仓库发布记录（scores/2023/ledger.json）或其前段：第 1 次发布与仓库的不同" in result.err
    )


def test_8b_editing_an_entry_breaks_the_chain(corrected):
    root = corrected
    doc = ledger_doc(root)
    doc["entries"][0]["date"] = "2024-01-14"
    (root / "scores/2023/ledger.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = validate(root)
    assert result.code == 1
    assert err_lines(result) == [
        "  scores/2023/ledger.json: 第 1 次发布的内容与它的校验值 {} 不符：该条目被改动过；它由 build --publish 写出，不能手改；"
        "请从版本库恢复（git checkout -- scores/2023/ledger.json）".format(doc["entries"][0]["hash"][:12]),
        "  scores/2023/ledger.json: 第 2 次发布的 previous 与第 1 次发布的校验值不符：发布记录的链条断了（前面的条目被改动、删除或调换过）；"
        "它由 build --publish 写出，不能手改；请从版本库恢复（git checkout -- scores/2023/ledger.json）",
    ]


def test_9_changing_the_grade_bands(published):
    root = published
    rubric = root / "rubric/2023.yaml"
    rubric.write_text(
        rubric.read_text(encoding="utf-8").replace("{grade: A, min: 90,", "{grade: A, min: 110,"), encoding="utf-8"
    )  # P01 (108.75) would go from A to B
    assert_refused(
        root,
        "  rubric/2023.yaml: 已发布的评估表被改动，但没有更正记录：等级 A 分数下限（已发布 90，现为 110）；"
        "请在 scores/2023/corrections.yaml 中登记 kind: rubric 的更正（不写 institution），"
        "如 {grade: A, field: min, old: 90, new: 110}",
    )
    write_corrections(
        root,
        correction(
            "2024-01-25",
            None,
            ["{grade: A, field: min, old: 90, new: 110}"],
            "考核工作领导小组决定调整A级分数线",
            kind="rubric",
        ),
    )
    assert build(root, "--publish").code == 0
    year = BeautifulSoup((root / "output/2023/index.html").read_text(encoding="utf-8"), "html.parser")
    row = [td.get_text() for td in year.find(id="corrections").find_next("table").tbody.tr.find_all("td")]
    assert row == [
        "2024年1月25日",
        "评估表",
        "等级 A 分数下限",
        "90",
        "110",
        "考核工作领导小组决定调整A级分数线",
        BOARD,
    ]
    feed = feedparser.parse((root / "output/feed.xml").read_bytes())
    assert feed.entries[0].title == "2023年度考核结果更正：评估表"
    assert feed.entries[0].summary.startswith("评估表：等级 A 分数下限由90改为110。")


def test_10_renaming_an_institution(published):
    root = published
    roster = root / "scores/2023/roster.yaml"
    roster.write_text(
        roster.read_text(encoding="utf-8").replace("甲职业培训学校", "甲职业技能培训学校"), encoding="utf-8"
    )
    assert_refused(
        root,
        "  scores/2023/roster.yaml: 机构 P01: 已发布的名单信息被改动，但没有更正记录：机构名称（已发布 甲职业培训学校，"
        "现为 甲职业技能培训学校）；请在 scores/2023/corrections.yaml 中登记 kind: roster 的更正，"
        "如 {field: name, old: 甲职业培训学校, new: 甲职业技能培训学校}",
    )
    write_corrections(
        root,
        correction(
            "2024-01-26",
            "P01",
            ["{field: name, old: 甲职业培训学校, new: 甲职业技能培训学校}"],
            "机构更名",
            kind="roster",
        ),
    )
    assert build(root, "--publish").code == 0
    page = BeautifulSoup((root / "output/2023/institutions/P01/index.html").read_text(encoding="utf-8"), "html.parser")
    row = [td.get_text() for td in page.find(id="corrections").find_next("table").tbody.tr.find_all("td")]
    assert row == ["2024年1月26日", "机构名称", "甲职业培训学校", "甲职业技能培训学校", "机构更名", BOARD]


def test_11_rewriting_a_published_reason(published):
    root = published
    set_item(root, "P01", "2-01", {"score": 0.75, "reason": "缺1项（已核实）"})
    assert_refused(
        root,
        "  scores/2023/P01.yaml: 机构 P01: 已发布的文字或日期被改动，但没有更正记录：2-01 扣分原因（已发布 缺1项，"
        "现为 缺1项（已核实））；请在 scores/2023/corrections.yaml 中登记 kind: text 的更正，"
        "如 {indicator: 2-01, field: reason, old: 缺1项, new: 缺1项（已核实）}",
    )
    write_corrections(
        root,
        correction(
            "2024-01-26",
            "P01",
            ["{indicator: 2-01, field: reason, old: 缺1项, new: 缺1项（已核实）}"],
            "扣分原因表述更正",
            kind="text",
        ),
    )
    assert build(root, "--publish").code == 0
    # and the announcement's dates
    status = root / "scores/2023/status.yaml"
    status.write_text(
        status.read_text(encoding="utf-8").replace("objection_deadline: 2024-01-20", "objection_deadline: 2024-01-27"),
        encoding="utf-8",
    )
    result = validate(root)
    assert err_lines(result) == [
        "  scores/2023/status.yaml: 已发布的文字或日期被改动，但没有更正记录：异议截止日期（已发布 2024-01-20，现为 2024-01-27）；"
        "请在 scores/2023/corrections.yaml 中登记 kind: text 的更正（不写 institution），"
        "如 {field: objection_deadline, old: 2024-01-20, new: 2024-01-27}"
    ]


def test_12_a_correction_dated_before_the_first_publication(published):
    set_item(published, "P01", "1-02", 1)
    write_corrections(published, FIRST.replace("2024-01-25", "2024-01-10"))
    assert_refused(
        published,
        "  scores/2023/corrections.yaml: 机构 P01: 第 1 条更正的日期 2024-01-10 早于首次发布日期 2024-01-15；"
        "发布之前的改动直接改评分数据即可，不是更正",
    )


def test_12b_a_correction_dated_before_the_previous_publication(corrected):
    root = corrected
    set_item(root, "P01", "2-02", {"score": 0, "reason": "复核"})
    third = correction("2024-01-10", "P01", ["{indicator: 2-02, old: 1, new: 0}"])
    write_corrections(root, FIRST, SECOND, third.replace("2024-01-10", "2024-01-20"))
    # the previous publication is dated by its newest correction, so this is out of order as well
    assert_refused(root, "  scores/2023/corrections.yaml: 更正记录须按日期先后排列，新的更正加在末尾")
    write_corrections(root, FIRST, SECOND, third.replace("2024-01-10", "2024-01-28"))
    assert build(root, "--publish").code == 0
    assert [e["date"] for e in ledger_doc(root)["entries"]] == ["2024-01-15", "2024-01-25", "2024-01-28"]


def test_13_a_no_op_correction(published):
    write_corrections(published, correction("2024-01-25", "P01", ["{indicator: 1-02, old: 0, new: 0}"]))
    assert_refused(
        published,
        "  scores/2023/corrections.yaml: 机构 P01: 指标 1-02: 第 1 条更正的1-02原值与新值相同（0），"
        "不是更正；请删去这一项",
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("[]", "发布记录格式不对：须为含 format、year、entries、published 的对象"),
        (
            '{"format": 1, "year": 2023, "entries": {}, "published": {}}',
            "发布记录格式不对：entries 须为列表，published 须为对象",
        ),
        (
            '{"format": 1, "year": 2024, "entries": [], "published": {}}',
            "发布记录格式不对：year 为 2024，但文件在 2023 年的目录中",
        ),
        (
            '{"format": 1, "year": 2023, "entries": [{"n": 1}], "published": {}}',
            "发布记录格式不对：第 1 个发布条目须含且只含 n、date、previous、corrections、inputs、state_sha256、hash、files（可另含 objections、site_files）",
        ),
        (
            '{"format": 1, "year": 2023, "entries": [], "published": {"x": [1]}}',
            "发布记录格式不对：published 的每个值须为文字、true/false 或 null",
        ),
    ],
)
def test_a_ledger_of_the_wrong_shape(published, text, message):
    (published / "scores/2023/ledger.json").write_text(text, encoding="utf-8")
    result = validate(published)
    assert err_lines(result) == [
        f"  scores/2023/ledger.json: {message}；它由 build --publish 写出，不能手改；"
        "请从版本库恢复（git checkout -- scores/2023/ledger.json）"
    ]


ENTRY_TYPES = "第 1 个发布条目的 n 须为整数，date、hash、state_sha256 须为文字"


def _entry(**changes):
    return lambda doc: doc["entries"][0].update(changes)


def _several(doc):
    """Problems at several places: the first one a reader would fix is reported."""
    doc["entries"][0]["n"] = "1"
    del doc["entries"][0]["date"]
    doc["published"]["x"] = [1]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda doc: doc.update(format=2), "format 须为 1"),
        (_entry(n=True), ENTRY_TYPES),
        (_entry(n=1.0), ENTRY_TYPES),
        (_entry(previous=1), ENTRY_TYPES),
        (_entry(date=None), ENTRY_TYPES),
        (
            _entry(objections=[{"number": 1}]),
            "第 1 个发布条目的 objections 须为列表，每项含且只含 "
            "number、received_on、institution、outcome、sha256、fixed_sha256",
        ),
        (
            _entry(corrections=[{"number": 1, "date": "2024-01-25"}]),
            "第 1 个发布条目的 corrections 须为列表，每项含 number、date、sha256",
        ),
        (_entry(inputs={"rubric/2023.yaml": 1}), "第 1 个发布条目的 inputs 须为 {文件: SHA-256}"),
        (_entry(files=[]), "第 1 个发布条目的 files 须为 {文件: SHA-256}"),
        (
            _several,
            "第 1 个发布条目须含且只含 n、date、previous、corrections、inputs、state_sha256、hash、files（可另含 objections、site_files）",
        ),
        (
            lambda doc: doc["published"].update({"P01": "甲"}),
            "published 的键 P01 不是已发布内容的键（如 P01/1-02/score、status/published_on）",
        ),
    ],
)
def test_a_ledger_entry_of_the_wrong_shape(published, change, message):
    """Each field of an entry checked by the schema, with its own message; checked before the chain."""
    doc = ledger_doc(published)
    change(doc)
    (published / "scores/2023/ledger.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert err_lines(validate(published)) == [
        f"  scores/2023/ledger.json: 发布记录格式不对：{message}；它由 build --publish 写出，不能手改；"
        "请从版本库恢复（git checkout -- scores/2023/ledger.json）"
    ]


def test_every_published_fact_is_a_typed_key_that_writes_its_text(published):
    """The ledger's keys are FactKeys written as text: each text read back is the same key, and the
    state of the data (unchanged since publishing) writes exactly the file's keys and values."""
    from site_builder.build.flow import Layout, load
    from site_builder.record.state import published_state

    doc = ledger_doc(published)
    for text in doc["published"]:
        key = FactKey.parse(text)
        assert key is not None and key.text == text
    data = load(Layout.from_args(str(published))).reports[0].data
    assert to_text(published_state(data)) == doc["published"]


@pytest.mark.parametrize(
    "key, text",
    [
        (FactKey.of_rubric("title"), "rubric/title"),
        (FactKey.of_rubric("max", indicator="1-02"), "rubric/1-02/max"),
        (FactKey.of_rubric("min", grade="A"), "rubric/grade/A/min"),
        (FactKey.of_rubric("label", grade="甲/乙"), "rubric/grade/甲/乙/label"),  # a grade's name may hold a slash
        (FactKey.of_status("objection_deadline"), "status/objection_deadline"),
        (FactKey.of_institution("P01", "name"), "P01/name"),
        (FactKey.of_institution("P01", "self_reason", "1-02"), "P01/1-02/self_reason"),
    ],
)
def test_a_fact_key_and_its_text(key, text):
    assert key.text == text and FactKey.parse(text) == key


@pytest.mark.parametrize("text", ["", "P01", "P01/1-02/score/x", "rubric/1-02/max/x"])
def test_a_text_that_is_no_fact_key(text):
    assert FactKey.parse(text) is None


def test_a_ledger_that_is_not_json(published):
    (published / "scores/2023/ledger.json").write_text("{", encoding="utf-8")
    result = validate(published)
    assert (
        result.code == 1
        and "scores/2023/ledger.json: 发布记录无法读取：" in result.err
        and "Traceback" not in result.err
    )


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"institutions": [], "corrections_included": 0}',
        '{"institutions": {"P01": [1]}, "corrections_included": 0}',
        '{"institutions": {"P01": {"1-01": "x"}}, "corrections_included": 0}',
        '{"institutions": {}, "corrections_included": true}',
    ],
)
def test_an_old_published_json_of_the_wrong_shape(tmp_path, text):
    root = approved_mini(tmp_path)
    (root / "scores/2023/published.json").write_text(text, encoding="utf-8")
    result = validate(root)
    assert err_lines(result) == [
        '  scores/2023/published.json: 发布记录格式不对：须为 {"corrections_included": 整数, "institutions": '
        "{机构编号: {指标: 分值}}}；它由 build --publish 写出，请从版本库恢复"
    ]


def test_an_old_published_json_is_still_checked_then_replaced_by_the_ledger(tmp_path):
    from site_builder.build.flow import Layout, load
    from site_builder.domain.corrections import sheet_values

    root = approved_mini(tmp_path)
    data = load(Layout.from_args(str(root))).reports[0].data
    record = {
        "year": 2023,
        "corrections_included": 0,
        "institutions": {
            s.institution: {k: int(v) if v == int(v) else float(v) for k, v in sheet_values(data.rubric, s).items()}
            for s in data.sheets
        },
    }
    record["institutions"]["P01"]["1-02"] = 1
    (root / "scores/2023/published.json").write_text(json.dumps(record), encoding="utf-8")
    assert err_lines(validate(root)) == [
        "  scores/2023/P01.yaml: 机构 P01: 已发布的分值被改动，但没有更正记录：1-02（已发布 1，现为 0）；"
        "请在 scores/2023/corrections.yaml 中登记更正（日期、指标、原分值、新分值、原因、审批单位）"
    ]
    record["institutions"]["P01"]["1-02"] = 0
    (root / "scores/2023/published.json").write_text(json.dumps(record), encoding="utf-8")
    assert build(root, "--publish").code == 0
    assert len(ledger_doc(root)["entries"]) == 1


# --- correction kinds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry, message",
    [
        (
            correction("2024-01-25", "P01", ["{indicator: 6-04, old: 0, new: 1}"], kind="score"),
            "机构 P01: 指标 6-04: 第 1 条更正：指标 6-04 是否决项，应写 kind: veto",
        ),
        (
            correction("2024-01-25", "P01", ["{field: name, old: 甲, new: 乙}"], kind="score"),
            "机构 P01: 第 1 条更正：score 类更正不能改 name（机构）；可改的有 机构的某项指标：score、self；机构：senior_levels、online_exam",
        ),
        (
            correction("2024-01-25", "P01", ["{grade: A, field: min, old: 90, new: 85}"], kind="rubric"),
            "机构 P01: 第 1 条更正是评估表的更正（kind: rubric），不写 institution",
        ),
        (
            correction("2024-01-25", "P01", ["{indicator: 1-02, field: reason, old: a, new: b}"], kind="typo"),
            "机构 P01: 第 1 条更正的 kind 为 typo；可选：score、veto、text、roster、rubric（不写时按指标为 score 或 veto）",
        ),
        (
            correction("2024-01-25", "P01", ["{field: active, old: 是, new: false}"], kind="roster"),
            "机构 P01: 第 1 条更正的开展评价：old 须为 true 或 false",
        ),
        (
            correction("2024-01-25", "P01", ["{indicator: 1-02, old: 0, new: 1}", "{indicator: 1-02, old: 0, new: 1}"]),
            "机构 P01: 指标 1-02: 第 1 条更正把1-02改了两次；一条更正中每项只写一次",
        ),
    ],
)
def test_correction_kinds_are_checked(published, entry, message):
    write_corrections(published, entry)
    assert f"  scores/2023/corrections.yaml: {message}" in err_lines(validate(published))


def test_a_correction_that_does_not_reach_the_data(published):
    write_corrections(
        published, correction("2024-01-26", "P01", ["{field: name, old: 甲职业培训学校, new: 甲学校}"], kind="roster")
    )
    assert err_lines(validate(published)) == [
        "  scores/2023/corrections.yaml: 机构 P01: 第 1 条更正的机构名称新值 甲学校 与数据的 甲职业培训学校 不一致"
    ]


# --- a second year -------------------------------------------------------------------------------


def test_a_second_year_has_its_own_ledger(published):
    root = published
    first_2023 = (root / "scores/2023/ledger.json").read_bytes()
    add_2024(root)
    result = build(root, "--publish")
    assert result.code == 0, result.err
    assert (root / "scores/2023/ledger.json").read_bytes() == first_2023  # 2023's pages did not change
    doc24 = ledger_doc(root, 2024)
    assert [e["date"] for e in doc24["entries"]] == ["2025-01-15"]
    assert all(p.startswith("2024/") for p in doc24["entries"][0]["files"])
    h23, h24 = ledger_doc(root)["entries"][-1]["hash"][:12], doc24["entries"][-1]["hash"][:12]
    assert f'data-ledger-head="{h23}"' in (root / "output/2023/index.html").read_text(encoding="utf-8")
    assert f'data-ledger-head="{h24}"' in (root / "output/2024/index.html").read_text(encoding="utf-8")
    assert f'data-ledger-head="{h24}"' in (root / "output/index.html").read_text(encoding="utf-8")
    # a correction in 2023 adds an entry to 2023's ledger only
    set_item(root, "P01", "1-02", 1)
    write_corrections(root, FIRST)
    assert build(root, "--publish").code == 0
    assert len(ledger_doc(root)["entries"]) == 2 and ledger_doc(root, 2024) == doc24
    # losing the second year's ledger is caught like the first's
    (root / "scores/2024/ledger.json").unlink()
    result = build(root, "--publish")
    assert result.code == 1 and "scores/2024/ledger.json: 发布记录不见了" in result.err
    shutil.copy(root / "output/2024/data/ledger.json", root / "scores/2024/ledger.json")
    assert _in_process("verify", str(root / "output"), "--root", str(root)).code == 0


# --- verify --------------------------------------------------------------------------------------


def test_verify_passes_on_a_fresh_build(corrected):
    result = _in_process("verify", str(corrected / "output"), "--root", str(corrected))
    assert result.code == 0, result.err
    head = ledger_doc(corrected)["entries"][-1]["hash"][:12]
    assert result.out.startswith(f"核验通过：{corrected / 'output'} 的 ")
    assert f"（校验码：2023 年度 {head}）" in result.out and "按仓库数据重新生成的网站与之逐字节相同。" in result.out


def test_verify_fails_on_a_consistent_rewrite(corrected):
    out = corrected / "output"
    results = out / "2023/data/results.json"
    doc = json.loads(results.read_text(encoding="utf-8"))
    p01 = next(r for r in doc["institutions"] if r["id"] == "P01")
    p01["total"] = 98.75
    results.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sums = out / "SHA256SUMS"
    new_sha = hashlib.sha256(results.read_bytes()).hexdigest()
    sums.write_text(
        re.sub(
            r"^[0-9a-f]{64}(  2023/data/results\.json)$", new_sha + r"\1", sums.read_text(encoding="utf-8"), flags=re.M
        ),
        encoding="utf-8",
    )
    result = _in_process("verify", str(out), "--root", str(corrected))
    assert result.code == 1
    assert err_lines(result) == [  # SHA256SUMS agrees with the files: the ledger and the data do not
        "  2023/data/results.json: 文件的 SHA-256 与发布记录第 2 次发布所记不符",
        "  2023/data/results.json: 机构 P01: total 在网站中为 98.75，按仓库数据应为 110",
        "  SHA256SUMS: 内容与按仓库数据生成的不同",
    ]


def test_verify_reports_pages_and_indicators(corrected):
    out = corrected / "output"
    page = out / "2023/institutions/M01/index.html"
    text = page.read_text(encoding="utf-8")
    edited = text.replace("120 分", "119 分", 1)
    assert edited != text  # the page shows the total this way; the edit must really change it
    page.write_text(edited, encoding="utf-8")
    result = _in_process("verify", str(out), "--root", str(corrected))
    assert result.code == 1
    assert err_lines(result) == [
        "  2023/institutions/M01/index.html: 文件的 SHA-256 与 SHA256SUMS 所列不符",
        "  2023/institutions/M01/index.html: 机构 M01: 页面与按仓库数据生成的不同",
    ]


def test_verify_an_older_copy(published, tmp_path):
    """A copy kept from the first publication: a prefix of the repo's ledger, its files as recorded."""
    root = published
    old = tmp_path / "old"
    shutil.copytree(root / "output", old)
    set_item(root, "P01", "1-02", 1)
    write_corrections(root, FIRST)
    assert build(root, "--publish").code == 0
    result = _in_process("verify", str(old), "--root", str(root))
    assert result.code == 0, result.err
    assert "2023 年度：网站是第 1 次发布时的副本（仓库已有 2 次发布），已按发布记录核对其文件" in result.out
    # a rewrite of the old copy (its checksums kept consistent) is caught against the recorded files
    csv_file = old / "2023/data/results.csv"
    csv_file.write_bytes(csv_file.read_bytes().replace(b"108.75", b"98.75"))
    sums = old / "SHA256SUMS"
    new_sha = hashlib.sha256(csv_file.read_bytes()).hexdigest()
    sums.write_text(
        re.sub(
            r"^[0-9a-f]{64}(  2023/data/results\.csv)$", new_sha + r"\1", sums.read_text(encoding="utf-8"), flags=re.M
        ),
        encoding="utf-8",
    )
    result = _in_process("verify", str(old), "--root", str(root))
    assert result.code == 1
    assert err_lines(result) == ["  2023/data/results.csv: 文件的 SHA-256 与发布记录第 1 次发布所记不符"]


def test_verify_names_the_indicator_when_the_data_moved_on(published):
    """The repo holds a correction not yet published: the site is the last publication, every byte
    as recorded, so it is authentic (issue 24, point 6); the note names what is pending by
    institution and indicator."""
    root = published
    set_item(root, "P01", "1-02", 1)
    write_corrections(root, FIRST)
    result = _in_process("verify", str(root / "output"), "--root", str(root))
    assert result.code == 0, result.err
    assert "网站与最近一次发布逐字节相同；仓库中另有尚未发布的改动（下一次 build --publish 时发布）" in result.out
    lines = result.out.splitlines()
    assert (
        "  2023/data/results.xlsx: 机构 P01: 指标 1-02: 得分、扣分原因或自评分在网站中为 "
        "1、0、<img src=x onerror=alert(1)>缺少资料、1，按仓库数据应为 1、1" in lines
    )
    assert "  2023/data/results.json: 机构 P01: total 在网站中为 108.75，按仓库数据应为 109.75" in lines
    assert "  2023/institutions/P01/index.html: 机构 P01: 页面与按仓库数据生成的不同" in lines
