"""`verify SITE`: a published copy whose data files were rewritten, their checksums made consistent
again, is explained per institution; each message is checked whole (==).

The ledger's own verify tests are in tests/test_ledger.py; these are the data files' explanations.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from support.mini import approved_mini
from support.project import in_process


@pytest.fixture(scope="module")
def published_once(tmp_path_factory) -> Path:
    """The approved mini project published once (its output holds the site and its ledger)."""
    root = approved_mini(tmp_path_factory.mktemp("published"))
    result = in_process("build", "--root", str(root), "--jobs", "1", "--publish")
    assert result.code == 0, result.err
    return root


@pytest.fixture
def published(published_once, tmp_path) -> Path:
    root = tmp_path / "m"
    shutil.copytree(published_once, root)
    return root


def rewrite(site: Path, rel: str, data: bytes) -> None:
    """Replace a file of the site and its line in SHA256SUMS, as someone covering their tracks would."""
    (site / rel).write_bytes(data)
    sums = site / "SHA256SUMS"
    line = re.compile(rf"^[0-9a-f]{{64}}(  {re.escape(rel)})$", flags=re.M)
    text = sums.read_text(encoding="utf-8")
    assert line.search(text), rel
    sums.write_text(line.sub(hashlib.sha256(data).hexdigest() + r"\1", text), encoding="utf-8")


def verify(root: Path):
    return in_process("verify", str(root / "output"), "--root", str(root))


def failed(root: Path, *lines: str) -> str:
    """verify's whole message when it finds these differences."""
    shown = "\n".join(f"  {line}" for line in lines)
    return f"错误：核验未通过：{root / 'output'} 与发布记录或仓库数据有 {len(lines)} 处不一致：\n{shown}\n"


RECORDED = "文件的 SHA-256 与发布记录第 1 次发布所记不符"
SUMS = "SHA256SUMS: 内容与按仓库数据生成的不同"


def test_a_fresh_publication_passes(published):
    result = verify(published)
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith(f"核验通过：{published / 'output'} 的 ")


def test_a_score_changed_in_results_csv_is_named_by_institution(published):
    rel = "2023/data/results.csv"
    old = (published / "output" / rel).read_bytes()
    row = re.compile("^(P01,[^\r\n]*?,是,是,)108\\.75,".encode(), flags=re.M)
    assert row.search(old)
    rewrite(published / "output", rel, row.sub(rb"\g<1>98.75,", old))
    result = verify(published)
    assert result.code == 1
    assert result.out == ""
    assert result.err == failed(
        published,
        f"{rel}: {RECORDED}",
        f"{rel}: 机构 P01: 总分 在网站中为 98.75，按仓库数据应为 108.75",
        SUMS,
    )


def test_rows_added_and_removed_in_results_csv(published):
    rel = "2023/data/results.csv"
    lines = (published / "output" / rel).read_bytes().split(b"\r\n")
    assert lines[1].startswith(b"P01,") and lines[-1] == b""
    forged = [lines[0], lines[1].replace(b"P01,", b"P09,", 1), *lines[2:]]
    rewrite(published / "output", rel, b"\r\n".join(forged))
    result = verify(published)
    assert result.code == 1
    assert result.err == failed(
        published,
        f"{rel}: {RECORDED}",
        f"{rel}: 机构 P01: 网站中缺少这个机构",
        f"{rel}: 机构 P09: 网站中多出这个机构",
        SUMS,
    )


def test_a_score_changed_in_results_json_is_named_by_institution(published):
    rel = "2023/data/results.json"
    doc = json.loads((published / "output" / rel).read_text(encoding="utf-8"))
    m01 = next(r for r in doc["institutions"] if r["id"] == "M01")
    m01["total"], m01["rank"] = 99.5, 2
    doc["published_on"] = "2024-01-16"
    rewrite(published / "output", rel, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    result = verify(published)
    assert result.err == failed(
        published,
        f"{rel}: {RECORDED}",
        f"{rel}: published_on 在网站中为 2024-01-16，按仓库数据应为 2024-01-15",
        f"{rel}: 机构 M01: rank 在网站中为 2，按仓库数据应为 1",
        f"{rel}: 机构 M01: total 在网站中为 99.5，按仓库数据应为 120",
        SUMS,
    )


@pytest.mark.parametrize(
    "rel, data",
    [
        ("2023/data/results.csv", b"\xff\xfe not UTF-8"),
        ("2023/data/results.csv", b'"an unclosed quote\r\n'),
        ("2023/data/results.csv", b""),
        ("2023/data/results.csv", "\ufeff机构编号,总分\r\nP01,108.75\r\n".encode()),  # other columns
        ("2023/data/results.json", b"{not json"),
        ("2023/data/results.json", b"[]"),
        ("2023/data/results.json", b'{"institutions": [{"name": "no id"}]}'),
        ("2023/data/results.json", b'{"institutions": {"P01": {}}}'),
        ("2023/data/results.xlsx", b"PK\x03\x04 not a workbook"),
        ("2023/data/results.xlsx", b"not even a zip"),
    ],
)
def test_a_data_file_that_cannot_be_read_differs_as_a_whole(published, rel, data):
    """What cannot be read record by record is reported as one difference, never as a crash."""
    rewrite(published / "output", rel, data)
    result = verify(published)
    assert result.err == failed(published, f"{rel}: {RECORDED}", f"{rel}: 内容与按仓库数据生成的不同", SUMS)


# --- the checksums, the ledger and the files ----------------------------------------------------------


def _sums(root: Path) -> list[str]:
    return (root / "output/SHA256SUMS").read_text(encoding="utf-8").splitlines()


def _recorded(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The last entry's files of the year, and the site's shared files it recorded."""
    doc = json.loads((root / "scores/2023/ledger.json").read_text(encoding="utf-8"))
    return doc["entries"][-1]["files"], doc["entries"][-1]["site_files"]


def test_the_message_when_everything_holds(published):
    head = json.loads((published / "scores/2023/ledger.json").read_text(encoding="utf-8"))["entries"][0]["hash"]
    result = verify(published)
    assert result.out == (
        f"核验通过：{published / 'output'} 的 {len(_sums(published))} 个文件与 SHA256SUMS、发布记录一致"
        f"（校验码：2023 年度 {head[:12]}）。\n按仓库数据重新生成的网站与之逐字节相同。\n"
    )


def test_an_unpublished_year_passes_as_not_yet_published(tmp_path):
    from support.mini import make_mini

    root = make_mini(tmp_path / "m")
    assert in_process("build", "--root", str(root), "--jobs", "1").code == 0
    result = verify(root)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        f"核验通过：{root / 'output'} 的 {len(_sums(root))} 个文件与 SHA256SUMS、发布记录一致"
        "（校验码：2023 年度 尚未发布）。\n按仓库数据重新生成的网站与之逐字节相同。\n"
    )


def test_without_sha256sums(published):
    (published / "output/SHA256SUMS").unlink()
    year, shared = _recorded(published)
    assert year and shared
    result = verify(published)
    assert result.err == failed(
        published,
        "SHA256SUMS: 缺少或无法读取校验值清单",
        *(f"{p}: 发布记录第 1 次发布有这个文件，但网站的 SHA256SUMS 中没有" for p in sorted(year)),
        *(f"{p}: 发布记录（2023 年度）第 1 次发布有这个文件，但网站的 SHA256SUMS 中没有" for p in sorted(shared)),
        "SHA256SUMS: 按仓库数据生成的网站有这个文件，但网站中没有",
    )


def test_a_line_of_sha256sums_that_is_not_one(published):
    sums = published / "output/SHA256SUMS"
    lines = sums.read_text(encoding="utf-8").splitlines()
    sums.write_text("\n".join([*lines[:2], "0" * 63 + "  index.html", *lines[2:]]) + "\n", encoding="utf-8")
    result = verify(published)
    assert result.err == failed(published, f"SHA256SUMS: 第 3 行格式不对：{'0' * 63}  index.html", SUMS)


def test_a_file_removed_and_a_file_added(published):
    site = published / "output"
    (site / "2023/data/results.csv").unlink()
    (site / "2023/extra.txt").write_text("多出来的文件", encoding="utf-8")
    result = verify(published)
    assert result.err == failed(
        published,
        "2023/data/results.csv: SHA256SUMS 列出了这个文件，但网站中没有",
        "2023/extra.txt: 网站中有这个文件，但 SHA256SUMS 没有列出",
        "2023/data/results.csv: 按仓库数据生成的网站有这个文件，但网站中没有",
        "2023/extra.txt: 网站中有这个文件，但按仓库数据生成的网站没有",
    )


def test_a_file_added_to_the_site_and_its_checksums(published):
    site = published / "output"
    (site / "2023/extra.txt").write_text("多出来的文件", encoding="utf-8")
    digest = hashlib.sha256("多出来的文件".encode()).hexdigest()
    sums = site / "SHA256SUMS"
    sums.write_text(sums.read_text(encoding="utf-8") + f"{digest}  2023/extra.txt\n", encoding="utf-8")
    result = verify(published)
    assert result.err == failed(
        published,
        "2023/extra.txt: 网站有这个文件，但发布记录第 1 次发布中没有",
        "2023/extra.txt: 网站中有这个文件，但按仓库数据生成的网站没有",
        SUMS,
    )


def test_a_file_recorded_but_left_out_of_both(published):
    site = published / "output"
    (site / "2023/data/results.csv").unlink()
    sums = site / "SHA256SUMS"
    kept = [
        line for line in sums.read_text(encoding="utf-8").splitlines() if not line.endswith("  2023/data/results.csv")
    ]
    sums.write_text("\n".join(kept) + "\n", encoding="utf-8")
    result = verify(published)
    assert result.err == failed(
        published,
        "2023/data/results.csv: 发布记录第 1 次发布有这个文件，但网站的 SHA256SUMS 中没有",
        "2023/data/results.csv: 按仓库数据生成的网站有这个文件，但网站中没有",
        SUMS,
    )


def test_a_site_without_its_ledger(published):
    site = published / "output"
    (site / "2023/data/ledger.json").unlink()
    result = verify(published)
    assert result.err == failed(
        published,
        "2023/data/ledger.json: SHA256SUMS 列出了这个文件，但网站中没有",
        "2023/data/ledger.json: 网站中没有 2023 年度的发布记录",
    )


def test_a_year_folder_the_repo_does_not_have(published):
    (published / "output/2022").mkdir()
    result = verify(published)
    assert result.err == failed(published, "2022/data/ledger.json: 网站中没有 2022 年度的发布记录")


def test_a_site_ledger_of_the_wrong_shape(published):
    rewrite(published / "output", "2023/data/ledger.json", b"[]")
    result = verify(published)
    assert result.err == failed(
        published,
        "2023/data/ledger.json: 发布记录格式不对：须为含 format、year、entries、published 的对象；"
        "它由 build --publish 写出，不能手改；请从版本库恢复（git checkout -- 2023/data/ledger.json）",
    )


def test_a_site_from_a_publication_the_repo_does_not_have(published, tmp_path):
    """The repo's ledger put back to its first entry; the site is from the second publication."""
    first = (published / "scores/2023/ledger.json").read_bytes()
    sheet = published / "scores/2023/P01.yaml"
    original = sheet.read_text(encoding="utf-8")
    sheet.write_text(original.replace("  1-02:\n    score: 0\n", "  1-02:\n    score: 1\n", 1), encoding="utf-8")
    assert sheet.read_text(encoding="utf-8") != original
    (published / "scores/2023/corrections.yaml").write_text(
        "- date: 2024-01-25\n  institution: P01\n  changes:\n    - {indicator: 1-02, old: 0, new: 1}\n"
        "  reason: 复核结果\n  approved_by: 考核工作领导小组\n",
        encoding="utf-8",
    )
    result = in_process("build", "--root", str(published), "--jobs", "1", "--publish")
    assert result.code == 0, result.err
    (published / "scores/2023/ledger.json").write_bytes(first)
    (published / "scores/2023/corrections.yaml").unlink()
    sheet.write_text(original, encoding="utf-8")
    result = verify(published)
    assert result.err == failed(
        published,
        "2023/data/ledger.json: 网站的发布记录不是仓库发布记录（scores/2023/ledger.json）或其前段：有 2 次发布，仓库只有 1 次",
    )


# --- results.xlsx, and what a record-by-record comparison shows --------------------------------------


def _workbook(site: Path, change) -> bytes:
    """results.xlsx of the site as openpyxl reads it, changed by `change(workbook)`, as bytes."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(site / "2023/data/results.xlsx")
    change(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _row(ws, *start) -> int:
    """The row whose first cells are `start`."""
    return next(r[0].row for r in ws.iter_rows() if tuple(c.value for c in r[: len(start)]) == start)


XLSX = "2023/data/results.xlsx"


def test_a_total_changed_in_results_xlsx(published):
    def change(wb):
        ws = wb["考核结果"]
        column = [c.value for c in ws[1]].index("总分") + 1
        ws.cell(_row(ws, "P01"), column).value = 98.75

    rewrite(published / "output", XLSX, _workbook(published / "output", change))
    assert verify(published).err == failed(
        published, f"{XLSX}: {RECORDED}", f"{XLSX}: 机构 P01: 总分在网站中为 98.75，按仓库数据应为 108.75", SUMS
    )


def test_an_indicator_cleared_in_results_xlsx(published):
    def change(wb):
        ws = next(ws for ws in wb.worksheets if ws.title.startswith("指标得分"))
        row = _row(ws, "P01", "甲职业培训学校", "1-01")
        for column in range(4, ws.max_column + 1):
            ws.cell(row, column).value = None

    rewrite(published / "output", XLSX, _workbook(published / "output", change))
    assert verify(published).err == failed(
        published,
        f"{XLSX}: {RECORDED}",
        f"{XLSX}: 机构 P01: 指标 1-01: 得分、扣分原因或自评分在网站中为 （无），按仓库数据应为 1、1",
        SUMS,
    )


def test_the_first_indicator_row_and_a_row_added(published):
    def change(wb):
        ws = next(ws for ws in wb.worksheets if ws.title.startswith("指标得分"))
        assert ws.cell(2, 3).value == "1-01"
        ws.cell(2, 5).value = 0  # the first row under the header: P01's 1-01 scored 0
        results = wb["考核结果"]
        results.append(["P09", "多出的机构"])

    rewrite(published / "output", XLSX, _workbook(published / "output", change))
    assert verify(published).err == failed(
        published,
        f"{XLSX}: {RECORDED}",
        f"{XLSX}: 机构 P01: 指标 1-01: 得分、扣分原因或自评分在网站中为 1、0，按仓库数据应为 1、1",
        f"{XLSX}: 机构 P09: 机构名称在网站中为 多出的机构，按仓库数据应为 （无）",
        SUMS,
    )


def _rename_score_column(wb):
    ws = next(ws for ws in wb.worksheets if ws.title.startswith("指标得分"))
    assert ws.cell(1, 5).value == "得分"
    ws.cell(1, 5).value = "分数"


def _cut_a_row_short(wb):
    ws = next(ws for ws in wb.worksheets if ws.title.startswith("指标得分"))
    ws.append(["P09", "多出的机构"])


def _a_result_without_institution(wb):
    wb["考核结果"].append([None, "无编号的机构", "省属"])


def _a_score_without_institution(wb):
    ws = next(ws for ws in wb.worksheets if ws.title.startswith("指标得分"))
    ws.append([None, "甲职业培训学校", "1-01", 1, 1])


def _no_results_at_all(wb):
    ws = wb["考核结果"]
    ws.delete_rows(1, ws.max_row)


@pytest.mark.parametrize(
    "change",
    [
        _rename_score_column,
        _cut_a_row_short,
        _a_result_without_institution,
        _a_score_without_institution,
        _no_results_at_all,
    ],
)
def test_a_workbook_of_another_shape_differs_as_a_whole(published, change):
    rewrite(published / "output", XLSX, _workbook(published / "output", change))
    assert verify(published).err == failed(
        published, f"{XLSX}: {RECORDED}", f"{XLSX}: 内容与按仓库数据生成的不同", SUMS
    )


def test_a_field_added_in_results_json(published):
    rel = "2023/data/results.json"
    doc = json.loads((published / "output" / rel).read_text(encoding="utf-8"))
    doc["institutions"][0]["extra"] = 1
    rewrite(published / "output", rel, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    assert verify(published).err == failed(
        published,
        f"{rel}: {RECORDED}",
        f"{rel}: 机构 {doc['institutions'][0]['id']}: extra 在网站中为 1，按仓库数据应为 （无）",
        SUMS,
    )


def test_results_csv_with_its_header_only(published):
    rel = "2023/data/results.csv"
    header = (published / "output" / rel).read_bytes().split(b"\r\n")[0]
    rewrite(published / "output", rel, header + b"\r\n")
    assert verify(published).err == failed(
        published,
        f"{rel}: {RECORDED}",
        *(f"{rel}: 机构 {i}: 网站中缺少这个机构" for i in ("M01", "M02", "P01", "P02", "P03")),
        SUMS,
    )


@pytest.mark.parametrize("at", [0, 1, 3])
def test_results_csv_with_an_empty_line_differs_as_a_whole(published, at):
    rel = "2023/data/results.csv"
    lines = (published / "output" / rel).read_bytes().split(b"\r\n")
    lines.insert(at, b"")
    rewrite(published / "output", rel, b"\r\n".join(lines))
    assert verify(published).err == failed(published, f"{rel}: {RECORDED}", f"{rel}: 内容与按仓库数据生成的不同", SUMS)


def test_the_differences_are_given_to_a_caller(published):
    """`verify` raises VerifyFailed; a program calling it reads the differences one by one."""
    from site_builder.build.flow import Layout
    from site_builder.commands.verify import VerifyFailed
    from site_builder.commands.verify import verify as verify_site
    from site_builder.errors import Problem

    (published / "output/2022").mkdir()
    with pytest.raises(VerifyFailed) as caught:
        verify_site(published / "output", Layout.from_args(str(published)))
    assert caught.value.differences == [Problem("2022/data/ledger.json", "网站中没有 2022 年度的发布记录")]


def test_a_workbook_saved_again_by_another_program_shows_no_cell_as_changed(published):
    """A spreadsheet pads its rows with empty cells that the build's workbook leaves out: the same
    values, so no institution is named; the file differs as a whole."""

    def formatted_far_right(wb):
        from openpyxl.styles import Font

        for ws in wb.worksheets:  # an empty cell given a style, right of the data: rows read padded to it
            ws.cell(2, ws.max_column + 3).font = Font(bold=True)

    rewrite(published / "output", XLSX, _workbook(published / "output", formatted_far_right))
    assert verify(published).err == failed(
        published, f"{XLSX}: {RECORDED}", f"{XLSX}: 内容与按仓库数据生成的不同", SUMS
    )


@pytest.mark.parametrize("make", [lambda p: None, lambda p: p.write_text("x", encoding="utf-8")])
def test_a_site_that_is_no_folder(published, make):
    site = published / "elsewhere"
    make(site)
    result = in_process("verify", str(site), "--root", str(published))
    assert (result.code, result.out) == (1, "")
    assert result.err == f"错误：{site} 不是网站目录；请给出 build 的输出目录或下载保存的网站副本\n"


def test_a_long_line_of_sha256sums_is_cut_at_80_characters(published):
    sums = published / "output/SHA256SUMS"
    bad = "坏" * 100
    sums.write_text(sums.read_text(encoding="utf-8") + bad + "\n", encoding="utf-8")
    lines = len(sums.read_text(encoding="utf-8").splitlines())
    assert verify(published).err == failed(published, f"SHA256SUMS: 第 {lines} 行格式不对：{'坏' * 80}", SUMS)


def test_verify_leaves_nothing_behind(published, tmp_path, monkeypatch):
    """The rebuild goes into a temporary folder, removed afterwards, without the build cache."""
    import tempfile

    shutil.rmtree(published / ".cache", ignore_errors=True)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    before = sorted(p.relative_to(published) for p in published.rglob("*"))
    assert verify(published).code == 0
    assert sorted(p.relative_to(published) for p in published.rglob("*")) == before
    assert list(temp.iterdir()) == []


def test_a_results_csv_is_read_as_written(tmp_path):
    """results.csv's rows by institution: a quote out of place makes the file unreadable (compared
    whole, not field by field); a line break inside a quoted field is kept as written (CRLF)."""
    from site_builder.commands.verify import Unreadable, _csv_rows

    path = tmp_path / "results.csv"
    path.write_bytes('机构编号,总分\r\nP01,"9"5\r\n'.encode())
    with pytest.raises(Unreadable):
        _csv_rows(path)
    path.write_bytes('\ufeff机构编号,备注\r\nP01,"第一行\r\n第二行"\r\n'.encode())
    assert _csv_rows(path) == (["机构编号", "备注"], {"P01": {"机构编号": "P01", "备注": "第一行\r\n第二行"}})


def test_a_file_that_differs_is_named_with_its_institution_where_it_has_one(tmp_path):
    """An institution's page that differs from its rebuild names the institution; another file, or a
    results file that cannot be compared field by field, is named alone."""
    from site_builder.commands.verify import _explain
    from site_builder.errors import Problem

    site, fresh = tmp_path / "site", tmp_path / "fresh"
    site.write_text("甲", encoding="utf-8")
    fresh.write_text("乙", encoding="utf-8")
    page = "2023/institutions/P01/index.html"
    assert _explain(page, site, fresh) == [Problem(page, "页面与按仓库数据生成的不同", institution="P01")]
    for rel in ("2023/index.html", "2023/institutions/P01/index.htm", "2023/data/results.csv"):
        assert _explain(rel, site, fresh) == [Problem(rel, "内容与按仓库数据生成的不同")]


# --- what is no plain file: a symlink, a pipe -------------------------------------------------------


def test_a_symlinked_file_and_a_symlinked_folder_are_named_as_such(published, tmp_path):
    """A file and a folder replaced by symlinks to the same bytes outside the site: each named with
    what it links (file or folder), never followed; their files count as missing from the site."""
    site = published / "output"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(str(site / "2023/institutions"), str(elsewhere / "institutions"))
    (site / "2023/institutions").symlink_to(elsewhere / "institutions", target_is_directory=True)
    shutil.move(str(site / "2023/data/results.csv"), str(elsewhere / "results.csv"))
    (site / "2023/data/results.csv").symlink_to(elsewhere / "results.csv")
    (site / "notice.html").write_text("<p>假公告</p>", encoding="utf-8")  # after them: still checked
    pages = sorted(
        f"2023/institutions/{p.relative_to(elsewhere / 'institutions').as_posix()}"
        for p in (elsewhere / "institutions").rglob("*")
        if p.is_file()
    )
    assert "2023/institutions/P01/index.html" in pages
    missing = "按仓库数据生成的网站有这个文件，但网站中没有"
    assert verify(published).err == failed(
        published,
        "2023/institutions: 这是指向其他位置的符号链接（目录），已发布的网站中只应有普通文件和目录",
        "2023/data/results.csv: 这是指向其他位置的符号链接（文件），已发布的网站中只应有普通文件和目录",
        "notice.html: 网站中有这个文件，但 SHA256SUMS 没有列出",
        f"2023/data/results.csv: {missing}",
        *(f"{p}: {missing}" for p in pages),
        "notice.html: 网站中有这个文件，但按仓库数据生成的网站没有",
    )


def test_sha256sums_itself_symlinked(published, tmp_path):
    """SHA256SUMS replaced by a symlink to the same list outside the site: named, the list still read."""
    sums = published / "output/SHA256SUMS"
    shutil.move(str(sums), str(tmp_path / "SHA256SUMS"))
    sums.symlink_to(tmp_path / "SHA256SUMS")
    assert verify(published).err == failed(
        published,
        "SHA256SUMS: 这是指向其他位置的符号链接（文件），已发布的网站中只应有普通文件和目录",
        "SHA256SUMS: 按仓库数据生成的网站有这个文件，但网站中没有",
    )


def test_sha256sums_listing_the_output_marker_of_a_copy_without_it(published):
    """A list that also names the tool's output marker (`.site-builder-output`, which a saved copy
    need not hold), in a copy without it: the marker is not missed, and every file after it in the
    list is checked all the same."""
    site = published / "output"
    marker = site / ".site-builder-output"
    sums = site / "SHA256SUMS"
    sums.write_text(
        f"{hashlib.sha256(marker.read_bytes()).hexdigest()}  .site-builder-output\n" + sums.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    marker.unlink()
    page = site / "index.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", "<p>异议电话 0350-0000000</p></body>".encode()))
    assert verify(published).err == failed(
        published,
        "index.html: 文件的 SHA-256 与 SHA256SUMS 所列不符",
        SUMS,
        "index.html: 内容与按仓库数据生成的不同",
    )


def test_a_pipe_in_place_of_the_ledger_is_named_and_not_read(published):
    """A named pipe where the year's ledger should be: named, and verify does not wait on it (reading
    a pipe nobody writes to would hang; it runs in a thread here, so that a hang fails the test)."""
    import os
    import threading

    ledger = published / "output/2023/data/ledger.json"
    ledger.unlink()
    os.mkfifo(ledger)
    results = []
    thread = threading.Thread(target=lambda: results.append(verify(published)), daemon=True)
    thread.start()
    thread.join(timeout=20)
    waited = thread.is_alive()
    if waited:  # waiting on the pipe: open it for writing and close it, so that the read ends
        os.close(os.open(ledger, os.O_WRONLY | os.O_NONBLOCK))
        thread.join()
    assert not waited
    assert results[0].err == failed(
        published,
        "2023/data/ledger.json: 这不是普通文件（设备、管道或套接字），已发布的网站中只应有普通文件和目录",
        "2023/data/ledger.json: 网站中没有 2023 年度的发布记录",
    )


def test_a_temporary_folder_that_cannot_be_removed_leaves_the_verdict_as_it_is(published, tmp_path, monkeypatch):
    """The rebuild's temporary folder is removed afterwards; when that fails (a temp cleaner got there
    first, a busy file system), the verdict on the site is given all the same."""
    import errno
    import os
    import tempfile

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    expected = verify(published).out
    assert expected.startswith(f"核验通过：{published / 'output'} 的 ")

    def busy(path, *args, **kwargs):
        raise OSError(errno.EBUSY, "busy", path)

    with monkeypatch.context() as m:
        m.setattr(os, "rmdir", busy)
        result = verify(published)
    assert (result.code, result.out, result.err) == (0, expected, "")


def test_sha256sums_is_read_as_utf8_whatever_the_machines_locale(tmp_path):
    """On a machine whose locale is not UTF-8 (here the C locale without Python's UTF-8 mode: ASCII),
    SHA256SUMS is still read as UTF-8: a line of Chinese text is a line of the wrong form, quoted."""
    import os
    import subprocess
    import sys

    site = tmp_path / "site"
    site.mkdir()
    (site / "SHA256SUMS").write_text("坏" * 3 + "\n", encoding="utf-8")
    code = (
        "import json, sys; from pathlib import Path; import locale;"
        "from site_builder.commands.verify import check_sums;"
        "out = []; check_sums(Path(sys.argv[1]), out);"
        "print(json.dumps([locale.getpreferredencoding(False), [[p.file, p.message] for p in out]]))"
    )
    env = {**os.environ, "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
    done = subprocess.run([sys.executable, "-c", code, str(site)], env=env, capture_output=True, check=True)
    encoding, problems = json.loads(done.stdout)
    assert encoding.lower().replace("-", "") not in ("utf8", "utf_8")
    assert problems == [["SHA256SUMS", "第 1 行格式不对：坏坏坏"]]


def _pending() -> list[str]:
    """What the rebuild shows after `_correct_p01` on the published mini project: P01's scores up by
    1, M02 down to rank 3, every page that shows them."""
    csv, js, xlsx = "2023/data/results.csv", "2023/data/results.json", XLSX
    reason = "<img src=x onerror=alert(1)>缺少资料"  # the mini project's reason, as the workbook holds it
    sections = "{'1': %s, '2': 24, '3': 16, '4': 6.5, '5': 3.5, '7': 10}"
    return [
        *(
            f"2023/cms/{p}: 内容与按仓库数据生成的不同"
            for p in ("announcement.html", "results.csv", "results.json", "results.xlsx")
        ),
        "2023/data/indicators.csv: 内容与按仓库数据生成的不同",
        "2023/data/indicators.json: 内容与按仓库数据生成的不同",
        f"{csv}: 机构 M02: 名次 在网站中为 2，按仓库数据应为 3",
        f"{csv}: 机构 P01: 基础分 在网站中为 98.75，按仓库数据应为 99.75",
        f"{csv}: 机构 P01: 总分 在网站中为 108.75，按仓库数据应为 109.75",
        f"{csv}: 机构 P01: 第1部分 在网站中为 48.75，按仓库数据应为 49.75",
        f"{js}: 机构 M02: rank 在网站中为 2，按仓库数据应为 3",
        f"{js}: 机构 P01: base 在网站中为 98.75，按仓库数据应为 99.75",
        f"{js}: 机构 P01: sections 在网站中为 {sections % 48.75}，按仓库数据应为 {sections % 49.75}",
        f"{js}: 机构 P01: total 在网站中为 108.75，按仓库数据应为 109.75",
        f"{xlsx}: 机构 M02: 名次在网站中为 2，按仓库数据应为 3",
        f"{xlsx}: 机构 P01: 指标 1-02: 得分、扣分原因或自评分在网站中为 1、0、{reason}、1，按仓库数据应为 1、1、{reason}、1",
        f"{xlsx}: 机构 P01: 基础分在网站中为 98.75，按仓库数据应为 99.75",
        f"{xlsx}: 机构 P01: 总分在网站中为 108.75，按仓库数据应为 109.75",
        f"{xlsx}: 机构 P01: 第1部分在网站中为 48.75，按仓库数据应为 49.75",
        "2023/grades/index.html: 内容与按仓库数据生成的不同",
        "2023/index.html: 内容与按仓库数据生成的不同",
        *(
            f"2023/institutions/{i}/index.html: 机构 {i}: 页面与按仓库数据生成的不同"
            for i in ("M01", "M02", "P01", "P02", "P03")
        ),
        *(
            f"{p}: 内容与按仓库数据生成的不同"
            for p in ("2023/roster/index.html", "2023/rubric/index.html", "2023/wechat/article.html")
        ),
        "2023/wechat/index.html: 内容与按仓库数据生成的不同",
        SUMS,
        "feed.xml: 内容与按仓库数据生成的不同",
        "index.html: 内容与按仓库数据生成的不同",
    ]


def test_the_latest_publication_with_a_change_not_yet_published_passes_with_what_is_pending(published):
    """The repo holds a correction not yet published (P01's 1-02 from 0 to 1): the site is still the
    latest publication, byte for byte as its ledger says, so it passes, and what is pending is listed
    (P01's scores up by 1, M02 down to rank 3, every page that shows them)."""
    _correct_p01(published)
    head = json.loads((published / "scores/2023/ledger.json").read_text(encoding="utf-8"))["entries"][0]["hash"]
    pending = _pending()
    result = verify(published)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        f"核验通过：{published / 'output'} 的 {len(_sums(published))} 个文件与 SHA256SUMS、发布记录一致"
        f"（校验码：2023 年度 {head[:12]}）。\n"
        "网站与最近一次发布逐字节相同；仓库中另有尚未发布的改动（下一次 build --publish 时发布），"
        f"按仓库数据重新生成的网站与之有 {len(pending)} 处不同：\n" + "".join(f"  {line}\n" for line in pending)
    )
    assert len(pending) == 33


@pytest.mark.parametrize(
    "ledger, problem",
    [
        (None, "网站中没有 2022 年度的发布记录"),
        (
            b"[]",
            "发布记录格式不对：须为含 format、year、entries、published 的对象；"
            "它由 build --publish 写出，不能手改；请从版本库恢复（git checkout -- 2022/data/ledger.json）",
        ),
    ],
)
def test_a_year_without_a_readable_ledger_does_not_stop_the_check_of_the_next(published, ledger, problem):
    """A 2022 folder without a ledger, or with one that cannot be read, comes first; 2023's files are
    still checked against 2023's ledger."""
    (published / "output/2022/data").mkdir(parents=True)
    unlisted = []
    if ledger is not None:
        (published / "output/2022/data/ledger.json").write_bytes(ledger)
        unlisted = ["2022/data/ledger.json: 网站中有这个文件，但 SHA256SUMS 没有列出"]
    rel = "2023/data/results.csv"
    rewrite(published / "output", rel, (published / "output" / rel).read_bytes() + b"P09,\r\n")
    assert verify(published).err == failed(
        published, *unlisted, f"2022/data/ledger.json: {problem}", f"{rel}: {RECORDED}"
    )


def test_a_draft_ledger_of_a_year_the_repo_does_not_have(published):
    """A 2022 folder holding an empty ledger (a year not published, as a build writes it) that the
    repo does not have: nothing published to compare, the file itself is named as not built."""
    (published / "output/2022/data").mkdir(parents=True)
    draft = {"entries": [], "format": 1, "published": {}, "year": 2022}
    (published / "output/2022/data/ledger.json").write_text(json.dumps(draft), encoding="utf-8")
    rel = "2023/data/results.csv"  # and after it, 2023 is checked against its ledger all the same
    rewrite(published / "output", rel, (published / "output" / rel).read_bytes() + b"P09,\r\n")
    assert verify(published).err == failed(
        published,
        "2022/data/ledger.json: 网站中有这个文件，但 SHA256SUMS 没有列出",
        f"{rel}: {RECORDED}",
        "2022/data/ledger.json: 网站中有这个文件，但按仓库数据生成的网站没有",
        f"{rel}: 机构 P09: 网站中多出这个机构",
        SUMS,
    )


def test_a_site_whose_first_publication_is_not_the_repos(published, tmp_path):
    """Two projects each published once, with other data: the site of one is not a publication of
    the other, and the first entry that differs is named."""
    other = approved_mini(tmp_path / "other")
    _correct_p01(other)
    (other / "scores/2023/corrections.yaml").unlink()  # not published yet: no correction needed
    assert in_process("build", "--root", str(other), "--jobs", "1", "--publish").code == 0
    result = in_process("verify", str(published / "output"), "--root", str(other))
    assert result.err == failed(
        published,
        "2023/data/ledger.json: 网站的发布记录不是仓库发布记录（scores/2023/ledger.json）或其前段：第 1 次发布与仓库的不同",
    )


def _correct_p01(root: Path) -> None:
    """P01's 1-02 from 0 to 1, with the correction that allows it once published."""
    sheet = root / "scores/2023/P01.yaml"
    text = sheet.read_text(encoding="utf-8")
    assert "  1-02:\n    score: 0\n" in text
    sheet.write_text(text.replace("  1-02:\n    score: 0\n", "  1-02:\n    score: 1\n", 1), encoding="utf-8")
    (root / "scores/2023/corrections.yaml").write_text(
        "- date: 2024-01-25\n  institution: P01\n  changes:\n    - {indicator: 1-02, old: 0, new: 1}\n"
        "  reason: 复核结果\n  approved_by: 考核工作领导小组\n",
        encoding="utf-8",
    )


def test_an_older_copy_passes_and_says_which_publication_it_is(published, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(published / "output", old)
    _correct_p01(published)
    assert in_process("build", "--root", str(published), "--jobs", "1", "--publish").code == 0
    doc = json.loads((published / "scores/2023/ledger.json").read_text(encoding="utf-8"))
    assert len(doc["entries"]) == 2
    result = in_process("verify", str(old), "--root", str(published))
    assert (result.code, result.err) == (0, "")
    lines = len((old / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    assert result.out == (
        f"核验通过：{old} 的 {lines} 个文件与 SHA256SUMS、发布记录一致（校验码：2023 年度 {doc['entries'][1]['hash'][:12]}）。\n"
        "2023 年度：网站是第 1 次发布时的副本（仓库已有 2 次发布），已按发布记录核对其文件\n"
    )


def test_two_years_shared_files_against_the_closest_publication_and_each_year_against_the_repo(published, tmp_path):
    """2023 published, then 2024: the shared files (home page…) are those of 2024's entry, which a
    changed home page is named against; against another project whose 2023 differs, both years
    are named, not only the first."""
    from support.ledger import add_2024

    def publish(root: Path) -> None:
        assert in_process("build", "--root", str(root), "--jobs", "1", "--publish").code == 0

    add_2024(published)
    publish(published)
    heads = "，".join(
        f"{y} 年度 {json.loads((published / f'scores/{y}/ledger.json').read_text(encoding='utf-8'))['entries'][-1]['hash'][:12]}"
        for y in (2023, 2024)
    )
    assert verify(published).out == (
        f"核验通过：{published / 'output'} 的 {len(_sums(published))} 个文件与 SHA256SUMS、发布记录一致（校验码：{heads}）。\n"
        "按仓库数据重新生成的网站与之逐字节相同。\n"
    )
    other = approved_mini(tmp_path / "other")
    _correct_p01(other)
    (other / "scores/2023/corrections.yaml").unlink()  # not published yet: no correction needed
    publish(other)
    add_2024(other)
    publish(other)
    result = in_process("verify", str(published / "output"), "--root", str(other))
    assert result.err == failed(
        published,
        *(
            f"{y}/data/ledger.json: 网站的发布记录不是仓库发布记录（scores/{y}/ledger.json）或其前段：第 1 次发布与仓库的不同"
            for y in (2023, 2024)
        ),
    )
    page = published / "output/index.html"
    rewrite(
        page.parent, "index.html", page.read_bytes().replace(b"</body>", "<p>异议电话 0350-0000000</p></body>".encode())
    )
    assert verify(published).err == failed(
        published,
        "index.html: 文件的 SHA-256 与发布记录（2024 年度）第 1 次发布所记不符",
        SUMS,
        "index.html: 内容与按仓库数据生成的不同",
    )


def test_ledgers_from_before_site_files_leave_the_shared_files_to_the_rebuild(published):
    """Entries written before `site_files` record no shared file (home page, feed…): with a change
    pending in the repo, what the rebuild shows cannot be told from a rewrite of those files, so it
    is reported as differences, not passed as pending."""
    doc = json.loads((published / "scores/2023/ledger.json").read_text(encoding="utf-8"))
    for entry in doc["entries"]:
        del entry["site_files"]  # outside the entry's hash, like `files`
    old = (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    (published / "scores/2023/ledger.json").write_bytes(old)
    rewrite(published / "output", "2023/data/ledger.json", old)
    (published / "output/.site-builder-output").unlink()  # a saved copy, without the tool's manifest
    _correct_p01(published)
    assert verify(published).err == failed(published, *_pending())


# --- the tool's manifest in a copy (.site-builder-output) ---------------------------------------------

MARKER = ".site-builder-output"
FOREIGN = f"{MARKER}: 这个文件名是本工具的输出清单，但内容不是本工具写出的清单；请删去它，或重新生成网站"


def _not_as_listed(named: str) -> str:
    return f"{MARKER}: 本工具的输出清单与网站中的文件不符（{named}）；它被改动过：请删去它，或重新生成网站"


def test_a_manifest_that_is_not_the_tools_is_named(published):
    (published / "output" / MARKER).write_text("hacked", encoding="utf-8")
    assert verify(published).err == failed(published, FOREIGN)


@pytest.mark.parametrize("wrong", [1, 5, 6])
def test_a_manifest_whose_hashes_were_changed_names_the_first_five_files(published, wrong):
    """Each file whose hash the manifest gives wrong is counted; the first five are named, then 等."""
    path = published / "output" / MARKER
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    listed = [n for n, line in enumerate(lines) if re.fullmatch(r"[0-9a-f]{64}  .+\n", line)]
    changed = [lines[n][66:-1] for n in listed[:wrong]]
    for n in listed[:wrong]:
        lines[n] = "0" * 64 + lines[n][64:]
    path.write_text("".join(lines), encoding="utf-8")
    names = "、".join(changed[:5]) + ("等" if wrong > 5 else "")
    assert changed == sorted(changed) and len(changed) == wrong
    assert verify(published).err == failed(published, _not_as_listed(f"{wrong} 个文件：{names}"))


def test_a_manifest_listing_a_file_the_copy_lacks_is_named_beside_other_differences(published):
    """A file the manifest lists and the copy does not hold is named, also when the copy differs
    elsewhere (here a year folder without its ledger)."""
    path = published / "output" / MARKER
    path.write_text(path.read_text(encoding="utf-8") + "0" * 64 + "  x.html\n", encoding="utf-8")
    (published / "output/2022").mkdir()
    assert verify(published).err == failed(
        published, _not_as_listed("1 个文件：x.html"), "2022/data/ledger.json: 网站中没有 2022 年度的发布记录"
    )


def test_a_symlinked_manifest_is_named_as_a_symlink_and_not_read(published, tmp_path):
    path = published / "output" / MARKER
    (tmp_path / "elsewhere").write_text("hacked", encoding="utf-8")
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere")
    assert verify(published).err == failed(
        published, f"{MARKER}: 这是指向其他位置的符号链接（文件），已发布的网站中只应有普通文件和目录"
    )
