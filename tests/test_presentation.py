"""The assessment period's one source (the announcement's front matter) and the institution page's
ready-made lists (site_builder/domain/presentation.py)."""

from __future__ import annotations

from decimal import Decimal

from site_builder.build.flow import Layout, load
from site_builder.domain.presentation import institution_view, keep_numbers


def test_a_sheet_outside_the_assessment_period_is_a_data_error(project):
    project.edit("scores/2023/P01.yaml", "assessed_on: 2024-01-03", "assessed_on: 2024-01-12")
    project.edit("scores/2023/M05.yaml", "assessed_on: ", "assessed_on: 2023-12-20\n# was: ")
    result = project.validate()
    assert result.code == 1
    assert result.err == (
        "错误：数据有 2 处问题，未写出任何文件：\n"
        "  scores/2023/P01.yaml: 机构 P01: 评估日期 assessed_on 2024-01-12 不在考核期 2023-12-21 至 2024-01-10 内"
        "（考核期见 content/2023/announcement.md 的 assessed_from、assessed_to）；请核对评估日期，或更正公告的考核期\n"
        "  scores/2023/M05.yaml: 机构 M05: 评估日期 assessed_on 2023-12-20 不在考核期 2023-12-21 至 2024-01-10 内"
        "（考核期见 content/2023/announcement.md 的 assessed_from、assessed_to）；请核对评估日期，或更正公告的考核期\n"
    )


def test_the_assessment_period_is_required_dated_and_in_order(project):
    rel = "content/2023/announcement.md"
    project.edit(rel, "assessed_from: 2023-12-21", "assessed_from: 12月21日")
    project.edit(rel, "assessed_to: 2024-01-10\n", "")
    result = project.validate()
    assert result.code == 1
    assert result.err == (
        "错误：数据有 2 处问题，未写出任何文件：\n"
        f"  {rel}: 页面开头的设置 assessed_from 须为日期（考核期开始日期，格式 YYYY-MM-DD，如 assessed_from: 2023-12-21），实为 12月21日\n"
        f"  {rel}: 页面开头的设置缺少 assessed_to（考核期结束日期，格式 YYYY-MM-DD，如 assessed_to: 2024-01-10）\n"
    )
    project.edit(rel, "assessed_from: 12月21日", "assessed_from: 2024-01-11\nassessed_to: 2024-01-10")
    result = project.validate()
    assert result.err.splitlines()[1] == (
        f"  {rel}: 考核期开始日期 assessed_from 2024-01-11 晚于结束日期 assessed_to 2024-01-10；请更正其中一个"
    )


def test_the_period_in_the_announcement_text_and_the_article_comes_from_the_front_matter(project, run_main):
    rel = "content/2023/announcement.md"
    project.edit(rel, "assessed_from: 2023-12-21", "assessed_from: 2023-12-30")
    assert run_main("build", "--root", str(project.root), "--jobs", "1").code == 0
    out = project.path("output/2023")
    year = (out / "index.html").read_text(encoding="utf-8")
    assert "年度业绩考核：2023年12月30日至2024年1月10日" in year and "{{考核期}}" not in year
    article = (out / "wechat/article.html").read_text(encoding="utf-8")
    assert "于2023年12月30日至2024年1月10日对2023年" in article


def test_institution_view_lists_only_what_lost_points(project):
    site = load(Layout.from_args(str(project.root)))
    report = site.reports[0]
    rubric = report.data.rubric
    by_id = {r.institution.id: r for r in report.results}
    p06 = institution_view(rubric, by_id["P06"])
    sheet = by_id["P06"].sheet
    below = [it.indicator for it in sheet.items if it.score < rubric.by_id[it.indicator].max]
    assert [d.item.id for d in p06.deductions] == below and below
    for line in p06.sections:  # the subtotals are the result's, the lost points those of the listed items
        assert line.score == by_id["P06"].sections[line.section.number]
        assert line.lost == sum((d.item.max - d.score for d in line.deductions), Decimal(0))
    assert [(item.id, evidence) for item, evidence in p06.veto_found] == [(v.indicator, v.evidence) for v in sheet.veto]
    assert p06.veto_found and institution_view(rubric, by_id["P12"]) is None  # P12 did not conduct evaluation


def test_keep_numbers_keeps_hyphenated_numbers_whole_and_escapes():
    assert str(keep_numbers("见第101-102页、7-01至7-05项，电话0350-3020718")) == (
        '见第<span class="nowrap">101-102</span>页、<span class="nowrap">7-01</span>至'
        '<span class="nowrap">7-05</span>项，电话<span class="nowrap">0350-3020718</span>'
    )
    assert str(keep_numbers("<b>1-2</b>")) == '&lt;b&gt;<span class="nowrap">1-2</span>&lt;/b&gt;'
    assert str(keep_numbers(None)) == ""
