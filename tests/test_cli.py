"""The command line as a user meets it: exit codes and whole outputs."""

from __future__ import annotations

import csv
import io
import json

SUMMARY = (
    "2023 年：评估表 140 项指标，名单 48 个机构，评分表 24 份；状态 sample（示例数据，非正式结果）\n"
    "  开展评价 24 个，未开展 24 个；已评估 24 个，尚无评分表 0 个\n"
    "  等级：A 5，B 10，C 5，D 3，取消评价资格 1\n"
)


def test_validate_prints_what_will_be_published(project):
    result = project.cli_process("validate")  # the real entry point, `python -m site_builder`, once
    assert (result.code, result.err) == (0, "")
    assert result.out == "数据校验通过。\n" + SUMMARY


def test_validate_with_scores_option(project, run_main):
    result = run_main("validate", "--scores", str(project.path("scores")), "--rubric", str(project.path("rubric")))
    assert result.code == 0
    assert result.out.endswith(SUMMARY)


def test_help_for_each_command(project):
    for args in (("--help",), ("validate", "--help"), ("build", "--help")):
        result = project.cli(*args)
        assert result.code == 0 and result.out.startswith("用法：python -m site_builder")
        assert "选项：\n  -h, --help" in result.out and "show this help" not in result.out
    assert "--publish" in project.cli("build", "--help").out


def test_missing_scores_dir_is_a_clear_error(project):
    result = project.cli("validate", "--scores", "nowhere")
    assert result.code == 1
    nowhere = project.path("nowhere")
    assert result.err == (
        "错误：数据有 1 处问题，未写出任何文件：\n"
        f"  {nowhere}: 评分数据目录（各年度的名单、状态和评分表）不存在\n"
        f"提示：请检查 --scores 给出的路径（相对于当前目录 {project.root}）。\n"
    )


def test_build_writes_the_exports(project):
    result = project.cli("build", "--out", "site")
    assert result.code == 0, result.err
    data = project.path("site/2023/data")
    results = json.loads((data / "results.json").read_text(encoding="utf-8"))
    assert results["year"] == 2023 and results["status"] == "sample"
    insts = results["institutions"]
    assert len(insts) == 48 and [i["id"] for i in insts[:2]] == ["P01", "P02"]
    p02 = next(i for i in insts if i["id"] == "P02")
    assert (p02["total"], p02["grade"], p02["base"] + p02["bonus"]) == (89.75, "B", 89.75)
    assert set(p02["sections"]) == {"1", "2", "3", "4", "5", "7"}
    assert sum(p02["sections"].values()) == p02["total"]
    p12 = next(i for i in insts if i["id"] == "P12")
    assert (p12["active"], p12["total"], p12["grade"], p12["rank"], p12["sections"]) == (False, None, None, None, None)
    p06 = next(i for i in insts if i["id"] == "P06")
    assert (p06["vetoed"], p06["veto_items"], p06["grade"], p06["rank"]) == (True, ["6-06"], None, None)
    # numbers are JSON numbers, written exactly
    assert '"total": 89.75,' in (data / "results.json").read_text(encoding="utf-8")

    rubric = json.loads((data / "rubric.json").read_text(encoding="utf-8"))
    assert len(rubric["indicators"]) == 140
    first = rubric["indicators"][0]
    assert {"id", "section", "group", "text", "standard", "rule", "max", "applies"} <= set(first)
    assert first["max"] == 1 and first["applies"] == "all"

    raw = (data / "results.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 48
    assert rows[1]["机构名称"] == "山西国智职业培训学校" and rows[1]["总分"] == "89.75"
    assert rows[11]["开展评价"] == "否" and rows[11]["总分"] == ""


def test_two_builds_are_byte_identical(project):
    assert project.cli("build", "--out", "a").code == 0
    assert project.cli("build", "--out", "b").code == 0
    a, b = project.path("a"), project.path("b")
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b and files_a
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_failed_build_leaves_previous_output_untouched(project):
    assert project.cli("build").code == 0
    out = project.path("output")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    project.edit("scores/2023/P05.yaml", "veto: {}", "veto: {6-04: ''}")
    result = project.cli("build")
    assert result.code == 1
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p.name for p in project.root.iterdir() if p.name.startswith(".output")]  # no staging left
