"""Issue 24, point 1: each example of the "Data lost" paragraph, refused with its exact message (or
kept safe), through the one writer (`storage.outdir`/`swap` for folders, `writer.replace_file` for
single files)."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from support.project import Project, unmark_sample
from support.project import in_process as _in_process

from site_builder.storage.outdir import MARKER

REFUSED = (
    "错误：拒绝输出到 {out}：{why}。生成时会整体替换输出目录；请用 --out 指定一个新目录、空目录或以前生成的"
    "输出目录（默认 ROOT/output），未写出任何文件\n"
)


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_synth_out_an_existing_project_keeps_its_scores_and_content(project: Project, tmp_path):
    other = tmp_path / "other"
    for rel, text in (
        ("scores/2023/P01.yaml", "institution: P01\n"),
        ("scores/2023/ledger.json", "{}\n"),
        ("content/site.yaml", "title: x\n"),
    ):
        (other / rel).parent.mkdir(parents=True, exist_ok=True)
        (other / rel).write_text(text, encoding="utf-8")
    before = tree(other)
    result = project.cli("synth", "--institutions", "3", "--out", str(other))
    assert result.code == 1
    assert result.err == REFUSED.format(
        out=other,
        why=(
            f"该目录没有本工具的文件清单（标记文件 {MARKER}），有 3 个不是本工具写出的文件或文件夹："
            "content/site.yaml、scores/2023/P01.yaml、scores/2023/ledger.json；整体替换会删除它们，请先把它们移到别处"
        ),
    )
    assert tree(other) == before
    # the project it reads from: refused as well
    result = project.cli("synth", "--institutions", "3", "--out", ".")
    assert result.err == REFUSED.format(out=project.root, why="它就是数据根目录 .")
    # its own previous output is replaced
    fresh = tmp_path / "synth"
    assert project.cli("synth", "--institutions", "3", "--out", str(fresh)).code == 0
    assert project.cli("synth", "--institutions", "4", "--out", str(fresh)).code == 0


@pytest.mark.parametrize(
    "rel, why",
    [
        ("scores/2023/ledger.json", "它位于评分数据目录 scores 之内，本命令不会在项目的数据目录中写文件"),
        ("scores/2023/P01.yaml", "它位于评分数据目录 scores 之内，本命令不会在项目的数据目录中写文件"),
        ("content/site.yaml", "它位于页面内容目录 content 之内，本命令不会在项目的数据目录中写文件"),
        ("elsewhere/site.yaml", "它是项目的数据文件（site.yaml），不会被覆盖"),
        ("elsewhere/ledger.json", "它是项目的数据文件（ledger.json），不会被覆盖"),
    ],
)
def test_workbook_out_never_overwrites_a_data_file_even_with_force(project: Project, rel, why):
    target = project.path(rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_text("{}\n", encoding="utf-8")
    before = target.read_bytes()
    for force in ((), ("--force",)):
        result = project.cli("workbook", "--out", str(target), *force)
        assert result.code == 1
        reason = why.format(root=project.root)
        tail = "请换一个位置" if "数据目录" in reason else "请换一个文件名"
        assert result.err == f"错误：拒绝写出 {target}：{reason}（加 --force 也不会）；{tail}，未写出任何文件\n"
        assert target.read_bytes() == before


def test_workbook_out_keeps_a_filled_workbook_unless_forced(project: Project, umask022):
    book = project.path("评分表.xlsx")
    assert project.cli("workbook", "--out", str(book)).code == 0
    assert stat.S_IMODE(book.stat().st_mode) == 0o644  # the umask's mode, not 0600
    assert project.cli("workbook", "--out", str(book)).code == 0  # its own, unchanged: replaced
    with open(book, "ab") as f:
        f.write(b"filled by the experts")  # a filled workbook: not the file the tool wrote
    filled = book.read_bytes()
    result = project.cli("workbook", "--out", str(book))
    assert result.code == 1
    assert result.err == (
        f"错误：拒绝覆盖 {book}：该文件已存在，且不是本工具写出的（或写出后被改动过，例如已填写的评分工作簿）；"
        "请换一个文件名，或确认可以覆盖后加 --force，未写出任何文件\n"
    )
    assert book.read_bytes() == filled
    someone = project.path("someone.xlsx")  # a file the tool never wrote
    someone.write_bytes(b"PK not ours")
    assert project.cli("workbook", "--out", str(someone)).code == 1 and someone.read_bytes() == b"PK not ours"
    os.chmod(book, 0o640)
    assert project.cli("workbook", "--out", str(book), "--force").code == 0
    assert book.read_bytes() != filled and stat.S_IMODE(book.stat().st_mode) == 0o640  # keeps its mode


def test_import_writes_with_the_umasks_mode(project: Project, umask022):
    book = project.path("filled.xlsx")
    assert project.cli("workbook", "--out", str(book), "--scores", "scores").code == 0
    sheet = project.path("scores/2023/P01.yaml")
    sheet.unlink()
    result = project.cli("import", str(book))
    assert result.code == 0, result.err
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o644


def test_build_out_a_folder_with_a_sha256sum_listing_deletes_nothing(project: Project, tmp_path):
    folder = tmp_path / "thesis"
    (folder / "chapters").mkdir(parents=True)
    (folder / "chapters/one.docx").write_bytes(b"PK chapter one")
    (folder / "notes.txt").write_text("notes", encoding="utf-8")
    sums = "".join(
        f"{hashlib.sha256((folder / rel).read_bytes()).hexdigest()}  {rel}\n"
        for rel in ("chapters/one.docx", "notes.txt")
    )
    (folder / "SHA256SUMS").write_text(sums, encoding="utf-8")  # as `sha256sum` writes it
    before = tree(folder)
    result = project.cli("build", "--out", str(folder))
    assert result.code == 1
    assert result.err == REFUSED.format(
        out=folder,
        why=(
            f"该目录没有本工具的文件清单（标记文件 {MARKER}），有 3 个不是本工具写出的文件或文件夹："
            "SHA256SUMS、chapters/one.docx、notes.txt；整体替换会删除它们，请先把它们移到别处"
        ),
    )
    assert tree(folder) == before


def test_a_persons_file_in_output_is_never_deleted(project: Project):
    assert project.cli("build").code == 0
    out = project.path("output")
    (out / "archive").mkdir()
    (out / "archive/2022年结果.pdf").write_bytes(b"%PDF-1.7 archived")
    (out / ".well-known").mkdir()
    (out / ".well-known/security.txt").write_text("Contact: mailto:x@example.org\n", encoding="utf-8")
    before = tree(out)
    for args in (("build",), ("build", "--no-cache"), ("build", "--publish")):
        result = project.cli(*args)
        assert result.code == 1
        assert result.err == REFUSED.format(
            out=out,
            why=(
                "该目录有 2 个不是本工具写出的文件或文件夹：.well-known/security.txt、archive/2022年结果.pdf；"
                "整体替换会删除它们，请先把它们移到别处"
            ),
        )
        assert tree(out) == before


def test_under_umask_077_the_site_is_world_readable_and_the_stamp_keeps_it(project: Project):
    old = os.umask(0o077)
    try:
        assert project.cli("build").code == 0
        again = project.cli("build")
        assert "输出已是最新" in again.out
    finally:
        os.umask(old)
    out = project.path("output")
    for dirpath, _dirs, names in os.walk(out):
        assert stat.S_IMODE(os.stat(dirpath).st_mode) == 0o755, dirpath
        for name in names:
            assert stat.S_IMODE(os.stat(os.path.join(dirpath, name)).st_mode) == 0o644, name


APPROVED = (
    "status: approved\napproved_by: 忻州市职业技能等级评价年度绩效考核工作领导小组\napproved_on: 2024-01-15\n"
    "published_on: 2024-01-15\nobjection_deadline: 2024-01-20\n"
)


def test_a_data_file_keeps_its_mode_when_publishing_rewrites_it(project: Project, umask022):
    project.write("scores/2023/status.yaml", APPROVED)
    unmark_sample(project.root)
    site = project.read("content/site.yaml").replace(
        "https://example.org/xinzhou-pjjg/", "https://results.example.gov.cn/kh/"
    )
    project.write("content/site.yaml", site.replace("site_id_code: null", "site_id_code: '1409000001'"))
    ledger = project.path("scores/2023/ledger.json")
    result = _in_process("build", "--publish", "--root", str(project.root))
    assert result.code == 0, result.err
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o644  # a new data file: the umask's mode
    os.chmod(ledger, 0o640)
    result = _in_process("build", "--publish", "--root", str(project.root), "--out", str(project.root / "again"))
    assert result.code == 0, result.err
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o640  # rewritten, its mode kept
