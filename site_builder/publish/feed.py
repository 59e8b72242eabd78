"""RSS 2.0 for the media: one item per year's results, one per correction, one for the final result.

Made with feedgen. Every date comes from the data (never the clock), so the same data gives the
same bytes; guids are fixed strings that never change between builds. An item, once in the feed,
never changes: a correction or the final result is a new item with its own guid, and no item says
anything that a later correction could change (the results item names the publication, not the
grade counts; each item's 校验码 is that of the publication that first carried it). Times are the
pages' (the announcement's `published_at`, `pages.meta.year_publication`).
"""

from __future__ import annotations

import datetime as dt

from site_builder.common import urls
from site_builder.common.formats import zh_date
from site_builder.domain import objections
from site_builder.domain.models import STATUS_LABELS, SiteInput, YearReport
from site_builder.pages.meta import year_publication

CST = dt.timezone(dt.timedelta(hours=8), "CST")
GUID_PREFIX = "xinzhou-pjjg"


def _at(when: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(when, dt.datetime):
        return when.replace(tzinfo=CST)
    return dt.datetime(when.year, when.month, when.day, tzinfo=CST)


def _status_prefix(rep: YearReport) -> str:
    status = rep.data.status.status
    return "" if status == "approved" else f"【{STATUS_LABELS[status]}】"


def _year_date(rep: YearReport) -> dt.date:
    d = rep.data
    dates = [x for x in (d.status.published_on, d.status.approved_on) if x]
    return dates[0] if dates else max((s.assessed_on for s in d.sheets), default=dt.date(d.year, 12, 31))


def _change(ch) -> str:
    """One change as a sentence: 指标1-02由0改为1, 机构名称由…改为…"""
    label = f"指标{ch.label}" if getattr(ch, "field", "score") in ("score", "veto") else ch.label
    return f"{label}由{ch.old_text}改为{ch.new_text}"


def _head_line(site: SiteInput, year: int, correction: int | None = None) -> str:
    """The ledger hash of the publication that first carried the item (the year's first publication,
    or the one that included `correction`), so that whoever keeps the feed can tell a rewritten
    record; the same text in every later build."""
    ledger = site.ledgers.get(year)
    entries = list(ledger.entries) if ledger is not None else []
    shown = len(ledger.head or "") if ledger is not None else 0  # as many digits as the pages show
    for entry in entries:
        if correction is None or any(c["number"] == correction for c in entry["corrections"]):
            return f"{year}年度发布记录校验码：{entry['hash'][:shown]}（第{entry['n']}次发布）。"
    return f"{year}年度结果尚未正式发布。" if correction is None else "本更正尚未正式发布。"


def results_description(rep: YearReport) -> str:
    """The results item: the publication and where to read it, nothing a correction could change."""
    data = rep.data
    status = data.status
    period = ""
    if status.published_on and status.objection_deadline:
        period = f"公示期为{zh_date(status.published_on)}至{zh_date(status.objection_deadline)}。"
    return (
        f"{_status_prefix(rep)}{data.year}年度职业技能等级评价机构年度绩效考核结果公告，"
        f"名单所列机构的考核结果、等级、名次和各指标得分见公告页面。{period}"
        "此后的更正和异议处理结果另行发布为新的条目，不改动本条。"
    )


OBJECTIONS_GUID = "{prefix}-{year}-objections"


def _objections_item(rep: YearReport, base: str) -> tuple[dt.date, str, str, str, str] | None:
    """The 异议处理结果 item once the year's results are final: (date, guid, title, link, description)."""
    data = rep.data
    phase = objections.phase_of(data)
    if phase is None or phase.code != "final" or phase.final_on is None:
        return None
    description = (
        f"{objections.summary_text(phase)}{data.year}年度考核结果已于{zh_date(phase.final_on)}确定为最终结果。"
    )
    return (
        phase.final_on,
        OBJECTIONS_GUID.format(prefix=GUID_PREFIX, year=data.year),
        f"{_status_prefix(rep)}{data.year}年度考核结果异议处理结果",
        urls.absolute(base, urls.year_index(data.year)) + "#objection-handling",
        description,
    )


def announced(site: SiteInput) -> list[YearReport]:
    """The years the feed carries: while some year is approved, only the approved ones (a draft
    year's item would be published with 【草稿】 and could never change once approved: an item never
    changes); while none is, every year, marked by its status."""
    approved = [r for r in site.reports if r.data.status.status == "approved"]
    return approved or list(site.reports)


def feed_xml(site: SiteInput) -> bytes:
    base = site.config.base_url
    items: list[tuple[dt.date | dt.datetime, str, str, str, str]] = []  # (when, guid, title, link, description)
    for rep in announced(site):
        y = rep.data.year
        published = year_publication(site, rep).time
        items.append(
            (
                published or _year_date(rep),
                f"{GUID_PREFIX}-{y}-results",
                f"{_status_prefix(rep)}{y}年度职业技能等级评价机构年度绩效考核结果公告",
                urls.absolute(base, urls.year_index(y)),
                results_description(rep) + _head_line(site, y),
            )
        )
        names = {i.id: i.name for i in rep.data.roster.institutions}
        for c in rep.data.corrections:
            changes = "；".join(_change(ch) for ch in c.changes)
            subject = names[c.institution] if c.institution else "评估表" if c.kind == "rubric" else "公告"
            link = urls.absolute(base, urls.institution(y, c.institution) if c.institution else urls.year_index(y))
            link += "#corrections"
            items.append(
                (
                    c.date,
                    f"{GUID_PREFIX}-{y}-correction-{c.number}",
                    f"{_status_prefix(rep)}{y}年度考核结果更正：{subject}",
                    link,
                    f"{subject}：{changes}。更正原因：{c.reason}。审批：{c.approved_by}。{_head_line(site, y, c.number)}",
                )
            )
        items.extend(filter(None, [_objections_item(rep, base)]))
    items.sort(key=lambda it: (_at(it[0]), it[1]), reverse=True)

    from feedgen.feed import FeedGenerator  # imported here: a cached build never needs it (nor lxml)

    fg = FeedGenerator()
    fg.title(site.config.title)
    fg.link(href=urls.absolute(base, urls.FEED), rel="self")
    fg.link(href=base, rel="alternate")
    fg.description(f"{site.config.publisher}发布的职业技能等级评价机构年度绩效考核结果及更正。")
    fg.language("zh-CN")
    fg.lastBuildDate(max(_at(it[0]) for it in items))
    for day, guid, title, link, description in items:
        entry = fg.add_entry(order="append")
        entry.title(title)
        entry.link(href=link)
        entry.guid(guid, permalink=False)
        entry.pubDate(_at(day))
        entry.description(description)
    return fg.rss_str(pretty=True)
