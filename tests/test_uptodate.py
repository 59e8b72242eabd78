"""The up-to-date stamp: a build where nothing changed writes nothing; any change to the data, the
templates or the published output — even with its modification time put back — makes it run."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from support.mini import make_mini
from support.project import REPO, in_process

from site_builder.build.flow import build as run_build
from site_builder.build.layout import Layout
from site_builder.storage import outdir
from site_builder.storage import stamp as uptodate

P01_PAGE = "2023/institutions/P01/index.html"
STAMP = Path(".cache/site_builder") / uptodate.STAMP


def build(root: Path, *args: str):
    return in_process("build", "--root", str(root), "--jobs", "1", *args)


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file with its inode and ctime: a file written again (even with the same bytes) differs."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_ctime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def edit_keeping_mtime(path: Path, old: str, new: str) -> None:
    """An edit of the same size with the modification time put back: only the ctime tells."""
    assert len(old.encode()) == len(new.encode())
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.fixture
def mini(tmp_path) -> Path:
    root = make_mini(tmp_path / "mini")
    assert build(root).code == 0
    return root


def test_nothing_changed_nothing_written(mini):
    before = snapshot(mini / "output")
    result = build(mini)
    assert result.code == 0
    last = result.out.strip().splitlines()[-1]
    assert last.startswith(f"{mini / 'output'}：输出已是最新：自上次生成以来数据、模板和输出目录都没有改动（")
    assert "未重写任何文件" in last
    assert "2023 年：评估表 140 项指标" in result.out  # the same summary as a build that runs
    assert snapshot(mini / "output") == before


def test_a_sheet_edited_with_its_mtime_kept_is_built(mini):
    edit_keeping_mtime(mini / "scores/2023/P01.yaml", "缺1项", "缺2项")
    result = build(mini)
    assert result.code == 0 and "已生成到" in result.out
    assert "缺2项" in (mini / "output" / P01_PAGE).read_text(encoding="utf-8")


def test_an_output_page_edited_with_its_mtime_kept_is_seen(mini):
    """Not taken as up to date; and, since issue 24, not overwritten either (the edit is not the
    tool's file): refused naming it, until the person moves it away."""
    page = mini / "output" / P01_PAGE
    good = page.read_bytes()
    edit_keeping_mtime(page, "108.75", "180.75")
    result = build(mini)
    assert result.code == 1 and f"{P01_PAGE}（生成后被改动过）" in result.err
    assert page.read_bytes() == good.replace(b"108.75", b"180.75")
    page.unlink()
    assert build(mini).code == 0 and page.read_bytes() == good


def test_a_file_added_to_the_output_is_kept_and_named(mini):
    """Issue 24 (this test said "is removed" before): a file a person put into the output is never
    deleted; the build is refused naming it."""
    (mini / "output/extra.html").write_text("x", encoding="utf-8")
    result = build(mini)
    assert result.code == 1 and "有 1 个不是本工具写出的文件或文件夹：extra.html；" in result.err
    assert (mini / "output/extra.html").read_text(encoding="utf-8") == "x"


def test_a_template_or_content_change_is_built(mini):
    edit_keeping_mtime(mini / "content/pages/about.md", "关于本站。", "关于此站。")
    assert "已生成到" in build(mini).out
    assert "关于此站" in (mini / "output/about/index.html").read_text(encoding="utf-8")


def test_a_template_edited_with_its_mtime_kept_is_built(mini, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    layout = dataclasses.replace(Layout.from_args(root=str(mini), out=str(mini / "output")), templates=templates)
    assert not run_build(layout)[2].unchanged  # other templates than the last build's
    assert run_build(layout)[2].unchanged
    edit_keeping_mtime(templates / "institution.html", "返回机构名单", "返回全部名单")
    assert not run_build(layout)[2].unchanged
    assert "返回全部名单" in (mini / "output" / P01_PAGE).read_text(encoding="utf-8")


def test_a_forged_or_damaged_stamp_is_not_trusted(mini):
    stamp = mini / STAMP
    blob = stamp.read_bytes()
    stamp.write_bytes(blob[:32] + blob[32:].replace(b'"files": ', b'"files": 1'))  # seal no longer matches
    assert "已生成到" in build(mini).out
    stamp.write_bytes(b"garbage")
    assert "已生成到" in build(mini).out


def test_no_cache_and_publish_always_build(mini):
    assert "已生成到" in build(mini, "--no-cache").out
    assert "已生成到" in build(mini, "--no-cache").out


def test_a_failed_build_leaves_no_stamp(mini):
    (mini / "scores/2023/P01.yaml").write_text("institution: P01\n", encoding="utf-8")
    assert build(mini).code == 1
    assert not (mini / STAMP).exists()


def test_a_folder_linked_into_itself_does_not_loop(mini):
    (mini / "scores/2023/loop").symlink_to("..")
    result = build(mini)  # the loader refuses the link; the stamp's walk must not recurse into it
    assert result.code == 1 and "Traceback" not in result.err
    (mini / "scores/2023/loop").unlink()
    assert build(mini).code == 0


def test_a_linked_folder_among_the_inputs_turns_the_stamp_off(mini, tmp_path):
    pages = mini / "content/pages"
    shutil.move(pages, tmp_path / "pages")
    pages.symlink_to(tmp_path / "pages")  # edits under it would not change anything the stamp sees
    for _ in range(2):
        result = build(mini)
        assert result.code == 0 and "已生成到" in result.out


def test_an_output_edited_just_after_the_swap_is_not_taken_as_built(mini, monkeypatch):
    """The stamp describes the site as the build wrote it (read before the swap), not the output
    as found afterwards: an edit in between is seen by the next build."""
    (mini / "scores/2023/P01.yaml").touch()  # something to build

    def edit_after_swap(step: str) -> None:
        if step == "swapped":
            with open(mini / "output/index.html", "ab") as f:
                f.write(b"<!-- edited -->")

    _site, _written, stats = run_build(Layout.from_args(root=str(mini)), on_step=edit_after_swap)
    assert not stats.unchanged and (mini / "output/index.html").read_bytes().endswith(b"<!-- edited -->")
    result = build(mini)  # not "up to date"; and the edit is not the tool's file: kept, named (issue 24)
    assert result.code == 1 and "index.html（生成后被改动过）" in result.err
    assert (mini / "output/index.html").read_bytes().endswith(b"<!-- edited -->")


def test_an_output_as_the_last_build_left_it_is_not_hashed_again(mini, monkeypatch):
    """The ownership check (issue 24) hashes every file of the output, unless the stamp proves the
    output is exactly as the last build left it (inode, size, times, mode of every entry): then a
    build with one sheet changed, or nothing changed, hashes none of it (issue 27). Any edit, even
    with its modification time put back, sends it back to hashing, and the edit is refused."""
    hashed: list[str] = []
    real_sha = outdir._sha
    monkeypatch.setattr(outdir, "_sha", lambda path: hashed.append(path) or real_sha(path))
    assert build(mini).code == 0 and hashed == []  # nothing changed
    edit_keeping_mtime(mini / "scores/2023/P01.yaml", "缺1项", "缺2项")
    result = build(mini)
    assert result.code == 0 and "已生成到" in result.out and hashed == []  # one sheet changed
    page = mini / "output" / P01_PAGE
    edit_keeping_mtime(page, "缺2项", "缺3项")
    result = build(mini)
    assert result.code == 1 and f"{P01_PAGE}（生成后被改动过）" in result.err
    assert len(hashed) == len(outdir.read_manifest(mini / "output") or ())  # every file, to name the changed one
    assert "缺3项" in page.read_text(encoding="utf-8")
