"""Nothing a build keeps outlives it (build/context.py): two builds in one process see each its own
folders, templates and data, with no module-level cache to clear between them."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.mini import make_mini

from site_builder.build.flow import build
from site_builder.build.layout import Layout
from site_builder.build.validate import load


def test_a_folder_replaced_by_a_link_between_two_loads_is_seen_by_the_second(tmp_path):
    """Each load resolves the folders' real paths afresh: the rubric folder moved away and linked
    back is the rubric folder (the link is the folder given), not a link leaving the project."""
    root = make_mini(tmp_path / "mini")
    layout = Layout.from_args(root=str(root))
    assert [r.data.year for r in load(layout).reports] == [2023]
    shutil.move(root / "rubric", tmp_path / "elsewhere")
    (root / "rubric").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert [r.data.year for r in load(layout).reports] == [2023]


def test_two_builds_in_one_process_use_each_its_own_templates_and_statistics(tmp_path):
    one, two = make_mini(tmp_path / "one"), make_mini(tmp_path / "two")
    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", templates)
    sheet = two / "scores/2023/P01.yaml"
    sheet.write_text(
        sheet.read_text(encoding="utf-8").replace("  1-03: 1\n", "  1-03: {score: 0, reason: 缺少资料}\n"),
        encoding="utf-8",
    )
    first = Layout.from_args(root=str(one))
    build(Layout(first.root, first.scores, first.rubric, first.content, first.out, templates), cache=False)
    roster = templates / "roster.html"
    roster.write_text(
        roster.read_text(encoding="utf-8").replace("{% block main %}\n", "{% block main %}\n<p>第二版模板</p>\n"),
        "utf-8",
    )
    second = Layout.from_args(root=str(two))
    build(Layout(second.root, second.scores, second.rubric, second.content, second.out, templates), cache=False)
    assert "第二版模板" not in (one / "output/2023/roster/index.html").read_text(encoding="utf-8")
    assert "第二版模板" in (two / "output/2023/roster/index.html").read_text(encoding="utf-8")
    one_stats = (one / "output/2023/data/indicators.json").read_bytes()
    two_stats = (two / "output/2023/data/indicators.json").read_bytes()
    assert one_stats != two_stats  # P01's 1-03 deducted in the second project only
    build(Layout.from_args(root=str(tmp_path / "one"), out=str(tmp_path / "again")), cache=False)
    assert (tmp_path / "again/2023/data/indicators.json").read_bytes() == one_stats
