"""Reads content/: site settings, each year's announcement, and the other Markdown pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from pathlib import Path

from site_builder.common.formats import zh_date, zh_number
from site_builder.common.textcheck import PAGE_LIMIT, bad_character, check_text, page_file_problem, shown
from site_builder.common.yamlio import YamlProblem
from site_builder.domain import dates
from site_builder.domain.models import Page, Rubric, YearData
from site_builder.domain.settings import SiteConfig
from site_builder.errors import Problems
from site_builder.read.config import load_config
from site_builder.read.datafile import sample_mark
from site_builder.read.inventory import entries, unknown
from site_builder.read.markdown import markdown_to_html, split_front_matter

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RESERVED_SLUGS = {"assets", "index"}


ANNOUNCEMENT_FIELDS = {
    "basis": "考核依据，如《…工作方案》（忻人社函〔2023〕118号）",
    "assessor": "考核单位，如 忻州市职业技能等级评价考核工作小组",
}
# The assessment period: stated once, here, and checked against every sheet's assessed_on.
PERIOD_FIELDS = {
    "assessed_from": "考核期开始日期，格式 YYYY-MM-DD，如 assessed_from: 2023-12-21",
    "assessed_to": "考核期结束日期，格式 YYYY-MM-DD，如 assessed_to: 2024-01-10",
}
GRADES_PLACEHOLDER = "{{等级划分}}"  # in an announcement's text: replaced by the year's grade bands, from its rubric
PERIOD_PLACEHOLDER = "{{考核期}}"  # in an announcement's text: replaced by the period from its front matter


def _period(meta: dict, rel: str, problems: Problems) -> tuple[dt.date, dt.date] | None:
    """The announcement's assessed_from / assessed_to: both dates, in order."""
    values = []
    for key, help_text in PERIOD_FIELDS.items():
        value = meta.get(key)
        if value is None:
            problems.add(rel, f"页面开头的设置缺少 {key}（{help_text}）")
        elif not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            problems.add(rel, f"页面开头的设置 {key} 须为日期（{help_text}），实为 {shown(value)}")
        else:
            values.append(value)
    if len(values) != 2:
        return None
    if dates.out_of_order("assessed_from", values[0], "assessed_to", values[1]):
        problems.add(
            rel,
            f"考核期开始日期 assessed_from {values[0].isoformat()} 晚于结束日期 assessed_to "
            f"{values[1].isoformat()}；请更正其中一个",
        )
        return None
    return values[0], values[1]


def _page(
    path: Path,
    rel: str,
    slug: str,
    problems: Problems,
    required: dict[str, str] | None = None,
    period: bool = False,
    bands: str | None = None,
) -> Page | None:
    required = required or {}
    problem = page_file_problem(path)
    if problem:
        problems.add(rel, problem)
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a BOM (some editors write one) is harmless
    except UnicodeDecodeError:
        problems.add(rel, "文件不是 UTF-8 编码；请以 UTF-8 保存")
        return None
    except OSError:
        problems.add(rel, "无法读取页面文件；请检查它是否存在、是否可读")
        return None
    problem = check_text(text, PAGE_LIMIT, multiline=True)
    if problem:
        problems.add(rel, f"页面{problem}")
        return None
    try:
        meta, body = split_front_matter(text)
    except YamlProblem as exc:  # the front matter is checked like a data file
        problems.add(rel, f"页面开头的设置（--- 之间）：{exc}", line=exc.line)
        return None
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.add(rel, "页面缺少标题：在文件开头写 ---\\ntitle: 标题\\n---")
        return None
    for key in required:
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            problems.add(rel, f"页面开头的设置缺少 {key}（{required[key]}）")
            return None
    before = len(problems.items)
    sample = sample_mark(meta, rel, problems)  # a problem too, then the period's, in one run
    extra = {}
    if period:
        dates = _period(meta, rel, problems)
        if dates is None:
            return None
        extra = dict(zip(PERIOD_FIELDS, dates))
        body = body.replace(PERIOD_PLACEHOLDER, f"{zh_date(dates[0])}至{zh_date(dates[1])}")
    if len(problems.items) > before:
        return None  # a page or problems, never both
    if bands is not None:
        body = body.replace(GRADES_PLACEHOLDER, bands)
    order = meta.get("order", 0)
    return Page(
        slug,
        title.strip(),
        markdown_to_html(body),
        order if isinstance(order, int) else 0,
        {k: str(v) if isinstance(v, dt.date) else v for k, v in meta.items() if isinstance(v, (str, dt.date))}
        | {"title": title.strip()}
        | extra,
        sample,
        rel,
    )


def grade_bands(rubric: Rubric) -> str:
    """The rubric's grade bands as an announcement states them: 四个等级：A（90分及以上）、B（…）…"""
    listed = "、".join(f"{band.grade}（{band.label}）" for band in rubric.grades)
    return f"{zh_number(len(rubric.grades))}个等级：{listed}"


WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?", re.IGNORECASE)
NAME_LIMIT = 64
"""The longest page file name (without .md): it becomes a folder and an address."""


def page_name_problem(path: Path) -> str | None:
    """The one check of a page file's name (content/pages/<name>.md, which becomes the address
    <name>/): None when it is read, else the message refusing it."""
    bad = bad_character(path.name)
    if bad:  # the name becomes an address: it passes the same gate as every text
        return f"页面文件名含不允许的字符 {bad}；请删除它（只能有可见文字和空格）"
    if (
        path.suffix != ".md"
        or not SLUG.match(path.stem)
        or path.stem in RESERVED_SLUGS
        or re.match(r"^\d{4}$", path.stem)
    ):
        return "页面文件须命名为小写字母、数字和连字符组成的 <名称>.md（如 about.md）"
    if WINDOWS_RESERVED.fullmatch(path.stem):
        return (
            f"页面文件名 {path.stem} 是 Windows 的保留名称（con、prn、aux、nul、com1–com9、lpt1–lpt9），"
            "网站复制到 Windows 电脑或服务器上时无法建立这个目录；请换一个名称（如 contact.md）"
        )
    if len(path.stem) > NAME_LIMIT:
        return f"页面文件名有 {len(path.stem)} 个字符，超过上限 {NAME_LIMIT} 个（它会成为网址的一部分）；请改短"
    return None


def load_content(
    content: Path,
    years: list[int],
    rel,
    problems: Problems,
    bands: dict[int, str] | None = None,
    data_years: Collection[int] | None = None,
) -> tuple[SiteConfig | None, list[Page], dict[int, Page]]:
    """Site config, pages (content/pages/*.md, by `order` then name) and announcements by year.
    `bands`: each year's grade bands (`grade_bands`), for an announcement's {{等级划分}}.
    `data_years`: the years scores/ has a folder for: content/<year>/ of another year is refused (it
    would never be published); None (scores/ itself is missing, reported on its own): not checked."""
    known = None if data_years is None else set(data_years)
    config_path = content / "site.yaml"
    config = None
    if not content.is_dir():  # reported with the other missing inputs, by an absolute path
        problems.add(str(content.resolve()), "页面和网站设置目录（site.yaml、公告、页面）不存在")
        return None, [], {}
    if not config_path.is_file():
        problems.add(rel(config_path), "缺少网站设置文件")
    else:
        config = load_config(config_path, rel(config_path), problems)
    pages = []
    for path in entries(content / "pages", page_name_problem, rel, problems):
        page = _page(path, rel(path), path.stem, problems)
        if page:
            pages.append(page)
    pages.sort(key=lambda p: (p.order, p.slug))

    def content_entry(path: Path) -> str | None:
        if path.name == "site.yaml" or (path.name == "pages" and path.is_dir()):
            return None
        if path.is_dir() and re.fullmatch(r"\d{4}", path.name) and (known is None or int(path.name) in known):
            entries(path, announcement_only, rel, problems)
            return None
        if path.is_dir() and re.fullmatch(r"\d{4}", path.name):
            return (
                f"没有 {path.name} 年度的评分数据（scores/{path.name}/），这个年度的公告不会发布；"
                f"请先建立 scores/{path.name}/，或把这个目录移到数据目录之外"
            )
        return unknown("content/ 只放 site.yaml、pages/ 目录和各年度的目录（如 2023/，其中是 announcement.md）")

    def announcement_only(path: Path) -> str | None:
        if path.name == "announcement.md":
            return None
        return unknown(f"{rel(path.parent)}/ 只放该年度的公告 announcement.md；其他页面请放在 content/pages/")

    entries(content, content_entry, rel, problems)
    announcements = {}
    for year in years:
        path = content / str(year) / "announcement.md"
        if not path.is_file():
            problems.add(rel(path), f"缺少 {year} 年的公告正文")
            continue
        page = _page(
            path, rel(path), str(year), problems, ANNOUNCEMENT_FIELDS, period=True, bands=(bands or {}).get(year)
        )
        if page:
            announcements[year] = page
    return config, pages, announcements


def check_content_dates(pages: list[Page], announcements: dict[int, Page], problems: Problems) -> None:
    """No date of a page's front matter before its year (an announcement) or before 2000 (a page):
    the date policy's `too_early`, checked by `validate`."""
    docs = [(p, None) for p in pages] + [(p, y) for y, p in sorted(announcements.items())]
    for page, year in docs:
        for key, day in dates.content_dates(page.meta):
            if dates.too_early(day, year):
                problems.add(page.path, dates.early_message(key, day, year, f"页面开头的设置 {dates.label(key)}"))


def check_assessment_periods(
    years: list[YearData], announcements: dict[int, Page], content: Path, rel, problems: Problems
) -> None:
    """Every sheet's assessed_on lies in its year's assessment period (the announcement's front matter)."""
    for year in years:
        page = announcements.get(year.year)
        if page is None or "assessed_from" not in page.meta:
            continue  # already reported by load_content
        start, end = page.meta["assessed_from"], page.meta["assessed_to"]
        where = rel(content / str(year.year) / "announcement.md")
        published_on = year.status.published_on
        if published_on is not None and dates.out_of_order("assessed_to", end, "published_on", published_on):
            problems.add(
                where,
                f"考核期结束日期 assessed_to {end.isoformat()} 晚于公示日期 {published_on.isoformat()}"
                f"（{year.status.path} 的 published_on）；考核期须在结果公示之前结束，请核对日期",
            )
        for sheet in year.sheets:
            if not start <= sheet.assessed_on <= end:
                problems.add(
                    sheet.path,
                    f"评估日期 assessed_on {sheet.assessed_on.isoformat()} 不在考核期 "
                    f"{start.isoformat()} 至 {end.isoformat()} 内（考核期见 {where} 的 assessed_from、"
                    "assessed_to）；请核对评估日期，或更正公告的考核期",
                    institution=sheet.institution,
                )
