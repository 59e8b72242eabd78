"""The documents the office issues each year, from the same validated data and computations as the
site: the 公告, one 考核结果通知书 per assessed institution, the 工作报告 draft and the 新闻通稿.

Every number is taken from the results (`domain.scoring`), the announcement's figures
(`Figures`), the grade tables and the indicator statistics (`pages.stats.compute`) the site shows;
nothing is typed twice. Internal documents: they are written outside the published site.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from site_builder.common import urls
from site_builder.common.formats import zh_date
from site_builder.domain.models import VETO_RESULT, Result, Rubric, SiteInput, YearReport
from site_builder.domain.presentation import institution_view
from site_builder.domain.scoring import Figures, applicable_max, fmt
from site_builder.office.gongwen import H1_FONT, GongWen, chinese_ordinal
from site_builder.pages.meta import signoff, year_publication
from site_builder.pages.specs import grade_tables
from site_builder.pages.stats import YearStats

ANNOUNCEMENT = "公告.docx"
NOTICES = "通知书"
REPORT = "工作报告.docx"
PRESS = "新闻通稿"
MOST_DEDUCTED = 10  # indicators listed in the report's 主要问题
TO_WRITE = "【待填写】"  # marks the text the clerk still writes
MISSING = "（原表缺失）"  # a text the damaged source form lost, as the site says it


@dataclass(frozen=True)
class Context:
    """What every document of a year draws on."""

    site: SiteInput
    report: YearReport
    stats: YearStats

    @property
    def year(self) -> int:
        return self.report.data.year

    @property
    def rubric(self) -> Rubric:
        return self.report.data.rubric

    @property
    def figures(self) -> Figures:
        return Figures.of(self.report.results, self.rubric)

    @property
    def announcement(self):
        return self.site.announcements[self.year]

    @property
    def issuer_and_day(self) -> tuple[str, dt.date | None]:
        pub = year_publication(self.site, self.report)
        return signoff(self.site.config, self.site.announcements.get(self.year), pub)

    @property
    def mark(self) -> str | None:
        """示例数据 / 草稿 on every page while the data is not approved."""
        status = self.report.data.status
        return None if status.status == "approved" else status.label

    @property
    def results_url(self) -> str:
        return urls.absolute(self.site.config.base_url, urls.year_index(self.year))

    def new(self, title: str) -> GongWen:
        issuer, day = self.issuer_and_day
        return GongWen(title=title, author=issuer, day=day, mark=self.mark)

    def publicity(self) -> str:
        s = self.report.data.status
        if s.published_on and s.objection_deadline:
            return f"{zh_date(s.published_on)}至{zh_date(s.objection_deadline)}"
        return "尚未确定"

    def objection_ways(self) -> str:
        c = self.site.config.contact
        return f"联系电话：{c.phone}；电子邮箱：{c.email}；报送地址：{c.address}。"

    def ranked(self) -> int:
        return self.report.ranked


def grade_counts(ctx: Context) -> str:
    """A 级 3 个、B 级 10 个…: every outcome of the rubric, in band order."""
    return "、".join(f"{ctx.rubric.caption(g, '')}{n}个" for g, n in ctx.figures.by_outcome.items())


# --- 公告 --------------------------------------------------------------------------------------


def announcement(ctx: Context) -> bytes:
    page = ctx.announcement
    doc = ctx.new(page.title)
    doc.title(page.title)
    headings = _markdown_body(doc, str(page.html))
    n = headings + 1
    f = ctx.figures
    doc.heading(f"{chinese_ordinal(n)}、考核结果")
    doc.para(
        f"名单所列{f.listed}个机构中，{ctx.year}年开展评价的{f.active}个，未开展评价的{f.inactive}个；"
        f"参加考核的{f.assessed}个。考核结果：{grade_counts(ctx)}。各机构考核结果见附件。"
    )
    doc.heading(f"{chinese_ordinal(n + 1)}、公示期和异议方式")
    doc.para(
        f"公示期：{ctx.publicity()}。对考核结果有异议的，请在公示期内以书面形式向{ctx.site.config.office}提出，"
        f"写明异议事项和理由，并提供联系方式。{ctx.objection_ways()}"
    )
    doc.para(f"各机构{len(ctx.rubric.indicators)}项指标的得分和扣分原因见：{ctx.results_url}")
    doc.blank()
    doc.para(f"附件：{ctx.year}年度职业技能等级评价机构年度绩效考核结果")
    issuer, day = ctx.issuer_and_day
    doc.signature(issuer, day)
    doc.page_break()
    _attachment(doc, ctx)
    return doc.to_bytes()


def _markdown_body(doc: GongWen, html: str) -> int:
    """The announcement's Markdown (already rendered and sanitized) as 公文 paragraphs: ## headings
    numbered 一、二、…, ### headings （一）（二）…, list items as paragraphs. Returns the headings."""
    soup = BeautifulSoup(html, "html.parser")
    h1 = h2 = 0
    for el in soup.children:
        if not isinstance(el, Tag):
            continue
        text = el.get_text("", strip=True)
        if el.name == "h2":
            h1, h2 = h1 + 1, 0
            doc.heading(f"{chinese_ordinal(h1)}、{text}")
        elif el.name in ("h3", "h4"):
            h2 += 1
            doc.heading(f"（{chinese_ordinal(h2)}）{text}", level=2)
        elif el.name in ("ol", "ul"):
            for i, li in enumerate(el.find_all("li", recursive=False), start=1):
                item = li.get_text("", strip=True)
                doc.para(f"{i}. {item}" if el.name == "ol" else item)
        elif el.name == "table":
            rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in el.find_all("tr")]
            if rows:
                width = 156 / max(len(r) for r in rows)
                doc.table(rows[0], rows[1:], [width] * len(rows[0]))
        elif text:
            doc.para(text)
    return h1


def _attachment(doc: GongWen, ctx: Context) -> None:
    """附件: every assessed institution by outcome, then the institutions that did not take part."""
    doc.para(indent=False, runs=(("附件", {"font": H1_FONT}),))
    doc.blank()
    doc.title(f"{ctx.year}年度职业技能等级评价机构年度绩效考核结果")
    rubric = ctx.rubric
    rows = []
    for outcome, results in grade_tables(ctx.report.results, rubric):
        for r in results:
            rows.append(
                [
                    rubric.caption(outcome, ""),
                    str(r.rank) if r.rank else "—",
                    r.institution.name,
                    fmt(r.base),
                    fmt(r.bonus),
                    fmt(r.total),
                ]
            )
    header = [
        "考核结果",
        "名次",
        "机构名称",
        f"基础分（满分{fmt(rubric.base_max)}）",
        f"加分（满分{fmt(rubric.bonus_max)}）",
        "总分",
    ]
    doc.table(header, rows, [18, 12, 66, 22, 20, 18], numeric=(1, 3, 4, 5))
    inactive = [r.institution.name for r in ctx.report.results if not r.institution.active]
    doc.blank()
    doc.para(f"{ctx.year}年未开展评价的机构（{len(inactive)}个）：{'、'.join(inactive) or '无'}。")
    vetoed = [r for r in ctx.report.results if r.assessed and r.vetoed]
    if vetoed:
        doc.para(
            "取消评价资格的机构总分仅作记录，不参与排名："
            + "；".join(
                f"{r.institution.name}（{'、'.join(f'{v} {rubric.by_id[v].text}' for v in r.veto_items)}）"
                for r in vetoed
            )
            + "。"
        )


# --- 考核结果通知书 -------------------------------------------------------------------------------


def notice_name(result: Result) -> str:
    return f"{NOTICES}/{result.institution.id} {result.institution.name}.docx"


def notice(ctx: Context, result: Result) -> bytes:
    rubric, inst, sheet = ctx.rubric, result.institution, result.sheet
    assert sheet is not None
    title = f"{ctx.year}年度职业技能等级评价机构年度绩效考核结果通知书"
    doc = ctx.new(f"{title}（{inst.name}）")
    doc.title(title)
    doc.addressee(inst.name)
    basis = ctx.announcement.meta.get("basis")
    doc.para(
        (f"根据{basis}，" if basis else "")
        + f"考核工作小组于{zh_date(sheet.assessed_on)}对你单位{ctx.year}年度职业技能等级评价工作进行了年度绩效考核。"
        "现将考核结果通知如下："
    )
    view = institution_view(rubric, result)
    assert view is not None
    bonus_max = applicable_max(rubric, sheet, "bonus")
    base_max = applicable_max(rubric, sheet, "base")
    doc.heading("一、考核结果")
    if result.vetoed:
        doc.para(
            f"你单位存在否决项，考核结果为{VETO_RESULT}。总分{fmt(result.total)}分"
            f"（基础分{fmt(result.base)}分，满分{fmt(base_max)}分；加分{fmt(result.bonus)}分，"
            f"你单位适用的加分项满分{fmt(bonus_max)}分）仅作记录，不参与排名。"
        )
    else:
        rank = f"在参与排名的{ctx.ranked()}个机构中列第{result.rank}名。" if result.rank else ""
        doc.para(
            f"你单位总分{fmt(result.total)}分，其中基础分{fmt(result.base)}分（满分{fmt(base_max)}分），"
            f"加分{fmt(result.bonus)}分（你单位适用的加分项满分{fmt(bonus_max)}分，"
            f"评估表加分项满分{fmt(rubric.bonus_max)}分）；考核等级为{rubric.caption(result.grade or '', '')}，{rank}"
        )
    doc.heading("二、扣分情况")
    lost_base, lost_bonus = view.lost_in("base"), view.lost_in("bonus")
    if view.deductions:
        doc.para(
            f"基础分共扣{fmt(lost_base)}分，加分项未得{fmt(lost_bonus)}分（按你单位适用的加分项计），"
            "逐项如下（评分规则即评估表的“评估要求及相应分值”）："
        )
        rows = [
            [
                d.item.id,
                d.item.text or MISSING,
                d.item.rule_text or MISSING,
                d.reason or "（未写原因）",
                f"{fmt(d.score)}/{fmt(d.item.max)}",
            ]
            for d in view.deductions
        ]
        doc.table(["指标", "评估标准", "评分规则", "扣分原因", "得分/满分"], rows, [14, 40, 44, 38, 20], numeric=(4,))
    else:
        doc.para("你单位各项指标均得满分，无扣分。")
    if view.veto_found:
        doc.heading("三、否决项")
        for item, evidence in view.veto_found:
            doc.para(f"{item.id} {item.text}。经核查：{evidence}")
    n = 4 if view.veto_found else 3
    doc.heading(f"{chinese_ordinal(n)}、公示和异议")
    doc.para(
        f"考核结果于{ctx.publicity()}公示。你单位对考核结果有异议的，请在公示期内以书面形式向"
        f"{ctx.site.config.office}提出，写明异议事项和理由，并提供联系方式。{ctx.objection_ways()}"
    )
    if result.vetoed or result.grade in _lowest_grades(rubric):
        rectify_by = ctx.report.data.status.rectify_by
        doc.heading(f"{chinese_ordinal(n + 1)}、整改要求")
        deadline = f"于{zh_date(rectify_by)}前" if rectify_by else "限期"
        doc.para(
            f"请你单位对照上述扣分情况和评估表逐项整改，{deadline}将整改情况书面报送{ctx.site.config.office}。"
            + ("整改期间不得开展职业技能等级评价工作。" if result.vetoed else "")
        )
    issuer, day = ctx.issuer_and_day
    doc.signature(issuer, day)
    return doc.to_bytes()


def _lowest_grades(rubric: Rubric) -> tuple[str, ...]:
    """The two lowest bands (C and D on the 2023 form): those that must rectify."""
    return tuple(g.grade for g in rubric.grades[-2:])


# --- 工作报告 -----------------------------------------------------------------------------------


def work_report(ctx: Context) -> bytes:
    rubric, f, stats = ctx.rubric, ctx.figures, ctx.stats
    meta = ctx.announcement.meta
    assessor = meta.get("assessor") or ctx.site.config.office
    title = f"忻州市{ctx.year}年度职业技能等级评价机构年度绩效考核工作报告"
    doc = ctx.new(title)
    doc.title(title)
    doc.para(
        "（草稿：由评分数据生成，标有" + TO_WRITE + "的部分由工作人员填写，定稿前删去本行）",
        indent=False,
        align="center",
    )
    doc.heading("一、基本情况")
    period = ""
    if meta.get("assessed_from") and meta.get("assessed_to"):
        period = f"{zh_date(meta['assessed_from'])}至{zh_date(meta['assessed_to'])}，"
    basis = meta.get("basis")
    doc.para(
        (f"根据{basis}，" if basis else "")
        + f"{period}{assessor}对{ctx.year}年在我市开展职业技能等级评价工作的评价机构进行了年度绩效考核。"
        f"名单所列评价机构{f.listed}个，其中{ctx.year}年开展评价的{f.active}个、未开展评价的{f.inactive}个；"
        f"参加考核的{f.assessed}个。考核按照评估表{len(rubric.sections)}个部分{len(rubric.indicators)}项指标进行，"
        f"满分{fmt(rubric.total_max)}分（基础分{fmt(rubric.base_max)}分，加分{fmt(rubric.bonus_max)}分）。"
    )
    doc.heading("二、考核结果")
    doc.heading("（一）等级分布", level=2)
    doc.para(f"参加考核的{f.assessed}个机构中，{grade_counts(ctx)}。")
    doc.heading("（二）各部分得分", level=2)
    means = dict(stats.section_means)
    parts = []
    for s in rubric.scored_sections:
        mean = means.get(s.number)
        parts.append(
            f"第{chinese_ordinal(s.number)}部分{s.name}平均{fmt(mean) if mean is not None else '—'}分"
            f"（满分{fmt(s.max) if s.max is not None else '—'}分）"
        )
    total = f"全市平均总分{fmt(stats.total_mean)}分。" if stats.total_mean is not None else ""
    doc.para("；".join(parts) + "。" + total)
    ranked = [r for r in ctx.report.results if r.assessed and not r.vetoed]
    if ranked:
        top = max(r.total for r in ranked if r.total is not None)
        low = min(r.total for r in ranked if r.total is not None)
        highest = "、".join(r.institution.name for r in ranked if r.total == top)
        lowest = "、".join(r.institution.name for r in ranked if r.total == low)
        doc.heading("（三）最高分和最低分", level=2)
        doc.para(f"总分最高的是{highest}（{fmt(top)}分），最低的是{lowest}（{fmt(low)}分）。")
    doc.heading("三、主要问题")
    most = stats.most_deducted(MOST_DEDUCTED)
    if most:
        doc.para(f"扣分机构最多的{len(most)}项指标如下，典型扣分原因取自专家评分：")
        rows = []
        for stat in most:
            ind = rubric.by_id[stat.id]
            reasons = "；".join(f"{text}（{n}个）" for text, n in stat.reasons) or "—"
            rows.append([stat.id, ind.text or MISSING, f"{stat.deducted}/{stat.assessed}", reasons])
        doc.table(["指标", "评估标准", "扣分机构数/参评数", "典型扣分原因"], rows, [14, 60, 24, 58], numeric=(2,))
    else:
        doc.para("各机构各项指标均未扣分。")
    doc.heading("四、异议处理")
    objs = ctx.report.data.objections
    if objs:
        by: dict[str, int] = {}
        for o in objs:
            by[o.outcome_label] = by.get(o.outcome_label, 0) + 1
        doc.para(f"公示期间共受理异议{len(objs)}件：" + "，".join(f"{k}{v}件" for k, v in by.items()) + "。")
    else:
        doc.para(
            "公示期间未收到异议。"
            if ctx.report.data.status.final_on
            else f"公示期为{ctx.publicity()}；{TO_WRITE}异议受理情况。"
        )
    doc.heading("五、下一步工作")
    doc.para("", runs=((f"{TO_WRITE}（由工作人员填写：整改督促、下年度考核安排等）", {"highlight": True}),))
    issuer, day = ctx.issuer_and_day
    doc.signature(assessor, day)
    return doc.to_bytes()


# --- 新闻通稿 -----------------------------------------------------------------------------------


def press_lines(ctx: Context) -> list[str]:
    f = ctx.figures
    issuer, day = ctx.issuer_and_day
    when = zh_date(day) if day else "近日"
    headline = f"忻州市公布{ctx.year}年度职业技能等级评价机构年度绩效考核结果"
    c = ctx.site.config
    lines = [headline, ""]
    if ctx.mark:
        lines += [f"【{ctx.mark}，请勿发布】", ""]
    lines += [
        f"{when}，{issuer}公布了{ctx.year}年度职业技能等级评价机构年度绩效考核结果。"
        f"本次考核对{ctx.year}年在我市开展职业技能等级评价工作的{f.assessed}个评价机构进行，"
        f"考核结果为{grade_counts(ctx)}。",
        f"考核按照评估表{len(ctx.rubric.indicators)}项指标进行，满分{fmt(ctx.rubric.total_max)}分，"
        f"其中基础分{fmt(ctx.rubric.base_max)}分、加分{fmt(ctx.rubric.bonus_max)}分；存在否决项的机构取消评价资格。"
        f"名单所列{f.listed}个机构中，{f.inactive}个{ctx.year}年未开展评价。",
        f"考核结果公示期为{ctx.publicity()}。各机构的总分、等级和每项指标的得分及扣分原因已在{c.publisher}网站公布：{ctx.results_url}",
        f"对考核结果有异议的，可在公示期内向{c.office}书面提出。联系电话：{c.contact.phone}。",
    ]
    return lines


def press_text(ctx: Context) -> str:
    return "\r\n".join(press_lines(ctx)) + "\r\n"


def press_docx(ctx: Context) -> bytes:
    lines = press_lines(ctx)
    doc = ctx.new(lines[0])
    doc.title(lines[0])
    for line in lines[2:]:
        if line:
            doc.para(line)
    return doc.to_bytes()


def all_documents(ctx: Context) -> dict[str, bytes]:
    """Every document of the year, by its path in the folder, in a fixed order."""
    docs = {ANNOUNCEMENT: announcement(ctx)}
    for r in ctx.report.results:
        if r.assessed:
            docs[notice_name(r)] = notice(ctx, r)
    docs[REPORT] = work_report(ctx)
    docs[f"{PRESS}.docx"] = press_docx(ctx)
    docs[f"{PRESS}.txt"] = ("\ufeff" + press_text(ctx)).encode("utf-8")
    return docs
