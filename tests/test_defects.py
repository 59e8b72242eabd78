"""Defects a hostile tester found on main, each pinned with its Chinese message."""

from __future__ import annotations

import json

from support.objections import LATE_PENDING, LATE_REJECTED, REJECTED, objection_project, set_data
from support.project import in_process

OBJ = "scores/2023/objections.yaml"


def _published_objections(tmp_path):
    """A mini project published with a decided (rejected) and a pending objection."""
    root = objection_project(tmp_path, REJECTED + LATE_PENDING)
    sheet = (root / "scores/2023/P01.yaml").read_text(encoding="utf-8")
    (root / "scores/2023/M02.yaml").write_text(sheet.replace("institution: P01", "institution: M02"), encoding="utf-8")
    (root / "scores/2023/corrections.yaml").unlink()
    set_data(root, REJECTED + LATE_PENDING, corrections=False)
    result = in_process("build", "--root", str(root), "--jobs", "1", "--publish")
    assert result.code == 0, result.err
    return root


def _build(root, *extra):
    return in_process("build", "--root", str(root), "--jobs", "1", *extra)


def test_d3_published_objections_are_append_only(tmp_path):
    root = _published_objections(tmp_path)
    path = root / OBJ
    entry = json.loads((root / "scores/2023/ledger.json").read_text(encoding="utf-8"))["entries"][-1]
    assert [(o["number"], o["institution"], o["outcome"]) for o in entry["objections"]] == [
        (1, "M01", "rejected"),
        (2, "P01", "pending"),
    ]

    # removed: refused, with or without --publish
    path.unlink()
    for extra in ((), ("--publish",)):
        result = _build(root, *extra)
        assert result.code == 1
        assert (
            f"{OBJ}: 机构 M01: 已发布的第 1 条异议（2024-01-18 受理，机构 M01）被删除了；已发布的异议不能删除，"
            f"请从版本库恢复（git checkout -- {OBJ}）；新的异议只能加在末尾"
        ) in result.err
        assert "已发布的第 2 条异议（2024-01-22 受理，机构 P01）被删除了" in result.err

    # replaced by a directory (refused by the loader before the ledger is read: see D9)
    path.mkdir()
    result = _build(root, "--publish")
    assert result.code == 1
    assert f"{OBJ}: 不是文件（是一个目录）；objections.yaml 须为文件" in result.err
    path.rmdir()

    # a decided objection's reply edited
    path.write_text(REJECTED.replace("维持原结果", "维持原结果（改）") + LATE_PENDING, encoding="utf-8")
    result = _build(root, "--publish")
    assert result.code == 1
    assert (
        f"{OBJ}: 机构 M01: 已发布的第 1 条异议（2024-01-18 受理，机构 M01）已办结，其处理结果、办结日期、答复意见和"
        f"更正序号被改动了；已办结的异议不能修改，请从版本库恢复（git checkout -- {OBJ}）；"
        "对处理结果的新异议请另加一条异议记在末尾，结果因此改变的另加一条更正"
    ) in result.err

    # reordered
    path.write_text(LATE_PENDING + REJECTED, encoding="utf-8")
    result = _build(root)
    assert result.code == 1
    assert "已发布的第 1 条异议（2024-01-18 受理，机构 M01）被移到了第 2 条；已发布的异议不能调换顺序" in result.err

    # a pending objection's subject edited
    path.write_text(REJECTED + LATE_PENDING.replace("2-01", "2-02"), encoding="utf-8")
    result = _build(root)
    assert result.code == 1
    assert (
        f"{OBJ}: 机构 P01: 已发布的第 2 条异议（2024-01-22 受理，机构 P01）的异议事项 subject被改动了；"
        "已发布异议的受理日期、机构和异议事项不能修改（尚未办结的异议只能补填处理结果）"
    ) in result.err

    # the pending objection decided, and a new one appended: allowed, and recorded
    path.write_text(REJECTED + LATE_REJECTED + LATE_PENDING.replace("2-01", "3-01"), encoding="utf-8")
    result = _build(root, "--publish")
    assert result.code == 0, result.err
    entry = json.loads((root / "scores/2023/ledger.json").read_text(encoding="utf-8"))["entries"][-1]
    assert [o["outcome"] for o in entry["objections"]] == ["rejected", "rejected", "pending"]

    # now decided, it is fixed too
    path.write_text(
        REJECTED + LATE_REJECTED.replace("扣分无误", "扣分无误。") + LATE_PENDING.replace("2-01", "3-01"),
        encoding="utf-8",
    )
    result = _build(root)
    assert result.code == 1
    assert "已发布的第 2 条异议（2024-01-22 受理，机构 P01）已办结" in result.err


# --- D9: a folder where a reserved file should be -----------------------------------------------

import pytest  # noqa: E402
from support.mini import make_mini  # noqa: E402
from support.yamlfiles import load_yaml  # noqa: E402


def _validate(root):
    return in_process("validate", "--root", str(root))


@pytest.mark.parametrize(
    "name, why",
    [
        ("corrections.yaml", "（没有更正时不需要它）"),
        ("objections.yaml", "（没有异议时不需要它）"),
        ("ledger.json", "（它由 build --publish 写出）"),
        ("roster.yaml", "，换成 roster.yaml 文件"),
    ],
)
def test_d9_a_folder_where_a_reserved_file_should_be(tmp_path, name, why):
    root = make_mini(tmp_path / "m")
    path = root / "scores/2023" / name
    if path.exists():
        path.unlink()
    path.mkdir()
    result = _validate(root)
    assert result.code == 1
    assert f"scores/2023/{name}: 不是文件（是一个目录）；{name} 须为文件；请删去这个目录{why}" in result.err
    assert "缺少" not in result.err


# --- D8: a year folder that is not a plausible year ----------------------------------------------


def test_d8_a_year_folder_that_is_not_a_plausible_year(tmp_path):
    root = make_mini(tmp_path / "m")
    import shutil

    shutil.copytree(root / "scores/2023", root / "scores/0999")
    shutil.copy(root / "rubric/2023.yaml", root / "rubric/0999.yaml")
    result = _validate(root)
    assert result.code == 1
    assert (
        "scores/0999: 年度目录名 0999 不是合理的年份；年度目录须以四位年份命名（2000–2099，如 2023），"
        "请改名或删去这个目录"
    ) in result.err
    assert "999 年" not in result.err


# --- D10, D7: the roster -------------------------------------------------------------------------


def _roster(root, old, new):
    path = root / "scores/2023/roster.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_d10_duplicate_institution_names_are_refused(tmp_path):

    root = make_mini(tmp_path / "m")
    roster = load_yaml((root / "scores/2023/roster.yaml").read_text(encoding="utf-8"))["institutions"]
    first, second = roster[0], roster[1]
    _roster(root, f"name: {second['name']}", f"name: {first['name']}")
    result = _validate(root)
    assert result.code == 1
    assert (
        f"scores/2023/roster.yaml: 机构 {second['id']}: 机构名称 {first['name']} 重复：{first['id']} 和 "
        f"{second['id']} 同名；每个机构的名称须不同，请核对这两个机构的名称"
    ) in result.err


def test_d7_a_quoted_year_in_the_roster(tmp_path):
    root = make_mini(tmp_path / "m")
    _roster(root, "year: 2023", 'year: "2023"')
    result = _validate(root)
    assert result.code == 1
    assert 'scores/2023/roster.yaml: year 为加了引号的文字 "2023"；year 须为数字，不加引号，如 year: 2023' in result.err
    assert "文件位于 2023 年的目录中" not in result.err


# --- D12: numbers in quotes -----------------------------------------------------------------------


def test_d12_a_quoted_score_and_self_score(tmp_path):
    root = make_mini(tmp_path / "m")
    path = root / "scores/2023/P01.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  1-01: 1\n", '  1-01: "1"\n', 1).replace("    self: 1\n", "    self: '1'\n", 1)
    path.write_text(text, encoding="utf-8")
    result = _validate(root)
    assert result.code == 1
    assert (
        'scores/2023/P01.yaml: 机构 P01: 指标 1-01: 得分 "1" 是加了引号的文字，不是数字；请去掉引号，写作 1；可得 0、1'
    ) in result.err
    assert (
        'scores/2023/P01.yaml: 机构 P01: 指标 1-02: 自评分 "1" 是加了引号的文字，不是数字；请去掉引号，写作 1'
        in result.err
    )


def test_d12_a_quoted_correction_number_in_objections(tmp_path):
    from support.objections import UPHELD

    root = objection_project(tmp_path, UPHELD.replace("correction: 1", 'correction: "1"'))
    result = _validate(root)
    assert result.code == 1
    assert (
        f'{OBJ}: 机构 P01: 第 1 条异议的 correction（更正序号）"1" 是加了引号的文字，不是数字；请去掉引号，'
        "写作 correction: 1"
    ) in result.err


# --- D6: encodings and JSON in Chinese --------------------------------------------------------------


def test_d6_a_gbk_page_and_a_page_with_a_bom(tmp_path):
    root = make_mini(tmp_path / "m")
    page = root / "content/pages/about.md"
    text = page.read_text(encoding="utf-8")
    page.write_bytes(text.encode("gbk"))
    result = _validate(root)
    assert result.code == 1
    assert "content/pages/about.md: 文件不是 UTF-8 编码；请以 UTF-8 保存" in result.err
    assert "codec" not in result.err
    page.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = _validate(root)
    assert result.code == 0, result.err


RESTORE = "；它由 build --publish 写出，不能手改；请从版本库恢复（git checkout -- scores/2023/ledger.json）"


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "文件是空的"),
        (b"  \n", "文件是空的"),
        (b'{"format": 1,', "不是有效的 JSON（第 1 行第 14 列有误）"),
        ("{}".encode("gbk") + "年".encode("gbk"), "文件不是 UTF-8 编码"),
    ],
)
def test_d6_an_unreadable_ledger_in_chinese(tmp_path, content, problem):
    root = make_mini(tmp_path / "m")
    (root / "scores/2023/ledger.json").write_bytes(content)
    result = _validate(root)
    assert result.code == 1
    assert f"scores/2023/ledger.json: 发布记录无法读取：{problem}{RESTORE}" in result.err
    assert "Expecting" not in result.err


def test_d6_a_ledger_with_a_bom_is_read(tmp_path):
    root = _published_objections(tmp_path)
    path = root / "scores/2023/ledger.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = _build(root)
    assert result.code == 0, result.err


def test_d6_an_empty_published_json_in_chinese(tmp_path):
    root = make_mini(tmp_path / "m")
    (root / "scores/2023/published.json").write_bytes(b"")
    result = _validate(root)
    assert result.code == 1
    assert (
        "scores/2023/published.json: 发布记录无法读取：文件是空的；它由 build --publish 写出，请从版本库恢复"
        in result.err
    )


def test_d3_a_ledger_from_before_objections_were_recorded_still_keeps_the_file(tmp_path):
    import shutil

    from site_builder.record.ledger import entry_hash

    root = _published_objections(tmp_path)
    path = root / "scores/2023/ledger.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert len(doc["entries"]) == 1
    entry = doc["entries"][0]
    del entry["objections"]  # as the ledger was written before this fix
    entry["hash"] = entry_hash(entry)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(root / "output")
    (root / OBJ).unlink()
    result = _build(root)
    assert result.code == 1
    assert (
        f"{OBJ}: 异议记录已随结果发布（发布记录含 {OBJ}），但文件不见了；已发布的异议不能删除，"
        f"请从版本库恢复（git checkout -- {OBJ}）"
    ) in result.err


# --- Markdown front matter: read like a data file ---------------------------------------------------


@pytest.mark.parametrize(
    "front, expected",
    [
        (
            "title: &t 关于\nshort: *t\n",
            "content/pages/about.md:2: 页面开头的设置（--- 之间）：不允许使用 YAML 锚点和别名（& 和 *）；请把内容直接写出",
        ),
        (
            "title: 关于\ntitle: 又一个\n",
            "content/pages/about.md:3: 页面开头的设置（--- 之间）：键 title 重复出现（第 2 行和第 3 行）；每个键只能写一次",
        ),
        ("title: 关于\norder: [1\n", "content/pages/about.md:3: 页面开头的设置（--- 之间）：YAML 格式错误："),
    ],
)
def test_front_matter_is_read_like_a_data_file(tmp_path, front, expected):
    root = make_mini(tmp_path / "m")
    page = root / "content/pages/about.md"
    body = page.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    page.write_text("---\n" + front + "---\n" + body, encoding="utf-8")
    result = _validate(root)
    assert result.code == 1
    assert expected in result.err, result.err
    assert "could not" not in result.err and "found" not in result.err  # no PyYAML English
