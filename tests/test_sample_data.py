"""Sample data is marked in every sample file itself (`sample: true`), and `build --publish` refuses
while any input file carries the mark, whatever status.yaml and site.yaml say (issue 25, Readers)."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.project import REPO, copy_project
from support.project import in_process as _in_process

from site_builder.build.layout import Layout
from site_builder.build.validate import check_publishable, load
from site_builder.errors import BuildError

MARK = re.compile(r"^sample: true.*\n", re.M)
SAMPLE_FILES = sorted(
    str(p.relative_to(REPO))
    for p in [*(REPO / "scores").rglob("*.yaml"), *(REPO / "content").rglob("*.md")]
    if MARK.search(p.read_text(encoding="utf-8"))
)


def _official_settings(root) -> None:
    """What a clerk changes to publish: status approved, site.yaml's required fields filled."""
    (root / "scores/2023/status.yaml").write_text(
        "status: approved\napproved_by: 测试领导小组\napproved_on: 2024-01-15\npublished_on: 2024-01-15\n"
        "objection_deadline: 2024-01-20\n",
        encoding="utf-8",
    )
    site = root / "content/site.yaml"
    text = site.read_text(encoding="utf-8")
    text = re.sub(r"^base_url:.*$", "base_url: https://rsj.sxxz.gov.cn/pjjg/", text, flags=re.M)
    text = re.sub(r"^site_id_code:.*$", "site_id_code: '1409000001'", text, flags=re.M)
    site.write_text(text, encoding="utf-8")


def _unmark(root, rel: str) -> None:
    path = root / rel
    path.write_text(MARK.sub("", path.read_text(encoding="utf-8"), count=1), encoding="utf-8")


def test_every_sample_file_of_the_repo_is_marked():
    assert "scores/2023/roster.yaml" in SAMPLE_FILES
    assert "content/2023/announcement.md" in SAMPLE_FILES
    sheets = sorted(str(p.relative_to(REPO)) for p in (REPO / "scores").rglob("[PM][0-9][0-9].yaml"))
    assert len(sheets) == 24 and set(sheets) <= set(SAMPLE_FILES)


def test_publish_refuses_sample_files_after_status_and_site_yaml_are_changed(tmp_path):
    project = copy_project(tmp_path / "p")
    _official_settings(project.root)
    out = tmp_path / "out"
    result = _in_process("build", "--root", str(project.root), "--out", str(out), "--publish", "--no-cache")
    assert result.code == 1
    listed = "、".join(
        ["scores/2023/roster.yaml"]
        + [f"scores/2023/{i}.yaml" for i in [*(f"P{n:02}" for n in range(1, 12)), *(f"M{n:02}" for n in range(1, 14))]]
        + ["content/2023/announcement.md"]
    )
    assert result.err == (
        "错误：不能正式发布：\n"
        f"以下文件标记为示例数据（sample: true），不能作为正式结果发布：{listed}；"
        "请换成经审定的正式数据（正式数据的文件中没有 sample: true）\n"
    )
    assert not out.exists()
    assert _in_process("validate", "--root", str(project.root)).code == 0  # a preview build is still allowed
    for rel in SAMPLE_FILES:
        _unmark(project.root, rel)
    result = _in_process("build", "--root", str(project.root), "--out", str(out), "--publish", "--no-cache")
    assert result.code == 0, result.err


def test_a_sample_mark_other_than_true_or_false_is_a_problem(project):
    text = MARK.sub("sample: 是\n", project.read("scores/2023/P06.yaml"), count=1)
    project.write("scores/2023/P06.yaml", text)
    result = project.validate()
    assert result.code == 1
    assert (
        "  scores/2023/P06.yaml: 机构 P06: sample 为 是；示例数据文件写 sample: true，正式数据请删去这一行"
        in result.err
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from(SAMPLE_FILES)))
def test_publish_refuses_exactly_the_files_still_marked(tmp_path_factory, still_marked):
    """Whichever marked files remain (in sheets, the roster or the announcement), publishing refuses
    and names exactly those; with none left it goes ahead."""
    project = copy_project(tmp_path_factory.mktemp("s") / "p")
    _official_settings(project.root)
    for rel in set(SAMPLE_FILES) - still_marked:
        _unmark(project.root, rel)
    site = load(Layout.from_args(str(project.root)))
    if not still_marked:
        check_publishable(site, dt.date(2030, 1, 1))
        return
    try:
        check_publishable(site, dt.date(2030, 1, 1))
    except BuildError as exc:
        line = str(exc).splitlines()[-1]
    else:
        raise AssertionError("published sample data")
    named = line.split("不能作为正式结果发布：")[1].split("；")[0].split("、")
    assert sorted(named) == sorted(still_marked)
