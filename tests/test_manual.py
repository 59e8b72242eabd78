"""The clerk's manual (docs/操作手册.md) and the settings file she edits, read as she reads them:
the examples work when pasted into the repo's data, name years the repo has, and the comments in
content/site.yaml are in Chinese."""

from __future__ import annotations

import re

from support.project import REPO, Project
from support.yamlfiles import load_yaml

MANUAL = (REPO / "docs" / "操作手册.md").read_text(encoding="utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def section(title_start: str) -> str:
    start = MANUAL.index(f"\n## {title_start}")
    end = MANUAL.find("\n## ", start + 1)
    return MANUAL[start : end if end != -1 else None]


def test_the_examples_name_the_years_the_repo_has() -> None:
    """Outside the section on starting a new year, every data path the manual shows is one the clerk
    can open in this repo."""
    years = {p.name for p in (REPO / "scores").iterdir() if p.is_dir()}
    text = MANUAL.replace(section("10. 下一年度"), "")
    named = set(re.findall(r"(?:scores|content|output)/(\d{4})/|rubric/(\d{4})\.yaml|--year (\d{4})", text))
    mentioned = {y for group in named for y in group if y}
    assert mentioned and mentioned <= years


def test_the_manual_shows_how_to_record_objections_and_final_results() -> None:
    text = section("8. 公示和异议")
    for word in ("objections.yaml", "final_on", "公示中", "异议处理中", "最终结果", "pending", "upheld", "rejected"):
        assert word in text, word


def test_the_pending_objection_example_is_accepted_as_written(project: Project) -> None:
    pending = next(b for b in yaml_blocks(section("8. 公示和异议")) if "outcome: pending" in b)
    project.write("scores/2023/objections.yaml", pending)
    result = project.validate()
    assert result.code == 0, result.err
    assert "  阶段：公示中；异议 1 件：成立 0，不成立 0，正在处理 1\n" in result.out


def test_final_on_while_an_objection_is_pending_is_refused_as_the_manual_says(project: Project) -> None:
    blocks = yaml_blocks(section("8. 公示和异议"))
    pending = next(b for b in blocks if "outcome: pending" in b)
    final = next(b for b in blocks if b.lstrip().startswith("final_on"))
    project.write("scores/2023/objections.yaml", pending)
    project.write("scores/2023/status.yaml", project.read("scores/2023/status.yaml") + final)
    result = project.validate()
    assert (result.code, result.err) == (
        1,
        "错误：数据有 1 处问题，未写出任何文件：\n"
        "  scores/2023/objections.yaml: 机构 P03: 第 1 条异议仍在处理（outcome: pending），但结果已于 2024-01-25 "
        "确定为最终结果（scores/2023/status.yaml 的 final_on）；请先填写处理结果，或删去 final_on\n",
    )


def test_every_comment_in_site_yaml_is_in_chinese() -> None:
    lines = (REPO / "content" / "site.yaml").read_text(encoding="utf-8").splitlines()
    comments = [line.split("#", 1)[1] for line in lines if "#" in line]
    assert comments
    assert [c for c in comments if not CJK.search(c)] == []
    load_yaml((REPO / "content" / "site.yaml").read_text(encoding="utf-8"))  # still valid YAML
