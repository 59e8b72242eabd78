"""A file that is not part of the site (the scoring workbook full of unpublished scores, imported
sheets, the office's documents, synthetic data) is never written inside the site's output folder,
which is uploaded whole: one check, `writer.in_site_output`, for every such writer (attack report,
point 11)."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.project import Project

from site_builder.storage.writer import SITE_OUTPUT, replace_file

WHY = (
    "它位于网站输出目录 {folder} 之内，该目录整个上传到网站，放进去的文件会被公开（加 --force 也不会写）；"
    "请换一个不在网站输出目录里的位置"
)


def test_the_workbook_is_refused_in_the_default_output_folder(project: Project) -> None:
    target = project.root / "output" / "评分表.xlsx"
    for extra in ((), ("--force",)):
        result = project.cli("workbook", "--out", "output/评分表.xlsx", "--scores", "scores", *extra)
        folder = (project.root / "output").resolve()
        assert (result.code, result.err) == (
            1,
            f"错误：拒绝写出 output/评分表.xlsx：{WHY.format(folder=folder)}，未写出任何文件\n",
        )
        assert not target.exists()


def test_the_workbook_is_refused_in_any_folder_the_tool_built_a_site_in(project: Project, tmp_path) -> None:
    site = tmp_path / "o5"
    assert project.cli("build", "--out", str(site), "--jobs", "1").code == 0
    before = sorted(p.name for p in site.iterdir())
    result = project.cli("workbook", "--out", str(site / "2023" / "评分表.xlsx"))
    assert (result.code, result.err) == (
        1,
        f"错误：拒绝写出 {site}/2023/评分表.xlsx：{WHY.format(folder=site.resolve())}，未写出任何文件\n",
    )
    assert sorted(p.name for p in site.iterdir()) == before
    assert not (site / "2023" / "评分表.xlsx").exists()
    assert project.cli("workbook", "--out", str(tmp_path / "评分表.xlsx")).code == 0  # beside it: fine


def test_import_into_the_output_folder_is_refused(project: Project) -> None:
    assert project.cli("workbook", "--out", "wb.xlsx", "--scores", "scores").code == 0
    shutil.copytree(project.root / "scores", project.root / "output" / "scores")
    (project.root / "output" / "scores" / "2023" / "P05.yaml").unlink()  # a sheet the import writes
    result = project.cli("import", "wb.xlsx", "--into", "output/scores", "--force")
    assert result.code == 1
    folder = (project.root / "output").resolve()
    assert f"：{WHY.format(folder=folder)}，未写出任何文件" in result.err
    assert "Traceback" not in result.err


def test_the_one_writer_refuses_a_data_file_in_the_site_output_too(tmp_path: Path) -> None:
    site = tmp_path / "output"
    site.mkdir()
    target = site / "P01.yaml"
    try:
        replace_file(target, "x", {SITE_OUTPUT: site}, force=True, data_file=True)
    except Exception as exc:  # noqa: BLE001 - the message is checked
        assert str(exc) == f"拒绝写出 {target}：{WHY.format(folder=site.resolve())}，未写出任何文件"
    else:
        raise AssertionError("written into the site's output folder")
    assert not target.exists()


def test_synth_and_office_are_refused_there_too(project: Project) -> None:
    office = project.cli("office", "--out", "output/office")
    assert office.code == 1 and f"：它位于{SITE_OUTPUT} output 之内。" in office.err
    synth = project.cli("synth", "--institutions", "3", "--out", "output/synth")
    assert synth.code == 1 and f"：它位于{SITE_OUTPUT} output 之内。" in synth.err
    assert not (project.root / "output" / "synth").exists()
