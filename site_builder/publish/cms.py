"""The CMS package, `OUT/<year>/cms/`: for a bureau whose site runs on the province's 集约化 CMS
platform, which takes an article and its attachments, not a folder.

announcement.html  the announcement with its grade tables: one plain HTML fragment (no script, no
                   class, nothing from another host; table borders and the 落款's alignment as HTML
                   attributes and inline styles, so that a paste into TinyMCE, CKEditor 5 or Quill
                   keeps them), UTF-8 with a BOM and `<meta charset="utf-8">` so that a browser
                   opening the file alone reads it right
results.xlsx/.csv/.json  the attachments it links by file name, byte for byte the year's data files
                   (`ATTACHED`; each labelled as the registry of data files labels it)
发布说明.txt        how to paste it into a CMS article and upload the attachments
All are written through the build's writer, so SHA256SUMS lists them.
"""

from __future__ import annotations

from collections.abc import Mapping

import jinja2

from site_builder.common import urls
from site_builder.domain.models import SiteInput, YearReport
from site_builder.domain.scoring import Figures
from site_builder.pages.meta import signoff, year_publication
from site_builder.pages.specs import grade_tables
from site_builder.storage.writer import Writer

FRAGMENT = "announcement.html"
ATTACHED = ("results.xlsx", "results.csv", "results.json")  # the year's data files the article attaches
NOTES = "发布说明.txt"
BOM = "\ufeff"


def cms_file(year: int, name: str) -> str:
    return f"{year}/cms/{name}"


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} 字节"


def fragment(
    env: jinja2.Environment, site: SiteInput, rep: YearReport, attachments: list[tuple[str, str, str, str]]
) -> str:
    """The announcement as one HTML fragment; `attachments` are (name, label, size, sha256)."""
    y = rep.data.year
    pub = year_publication(site, rep)
    issuer, day = signoff(site.config, site.announcements.get(y), pub)
    return env.get_template("cms/announcement.html").render(
        year=y,
        status=rep.data.status,
        config=site.config,
        announcement=site.announcements[y],
        figures=Figures.of(rep.results, rep.data.rubric),
        tables=grade_tables(rep.results, rep.data.rubric),
        rubric=rep.data.rubric,
        inactive=[r for r in rep.results if not r.institution.active],
        attachments=attachments,
        pub=pub,
        issuer=issuer,
        day=day,
        full_results_url=urls.absolute(site.config.base_url, urls.year_index(y)),
    )


def instructions(site: SiteInput, rep: YearReport, labels: Mapping[str, str]) -> str:
    """发布说明.txt; `labels` are the data files' labels by file name."""
    y = rep.data.year
    pub = year_publication(site, rep)
    status = rep.data.status
    lines = [f"{y}年度考核结果公告 · 在政府网站集约化平台（CMS）发布的说明", ""]
    if status.status != "approved":
        lines += [f"注意：本年度数据状态为“{status.label}”，请勿发布。", ""]
    lines += [
        "本文件夹中的文件：",
        f"  {FRAGMENT}  公告正文和等级结果表（HTML 片段：不含脚本，不引用任何外部资源）",
        *(f"  {name}  附件：{labels[name]}" for name in ATTACHED),
        f"  {NOTES}  本说明",
        "",
        "发布步骤：",
        f"1. 在 CMS 中新建文章。标题：{site.announcements[y].title}；发布时间：{pub.pub_date or '（待定）'}；"
        f"来源：{pub.source}。",
        f"2. 用浏览器打开 {FRAGMENT}，按 Ctrl+A 全选、Ctrl+C 复制，在文章正文编辑器（可视模式）中按 Ctrl+V 粘贴。"
        f"编辑器若有“源代码”（HTML）模式，也可用记事本打开 {FRAGMENT}，全选并复制，粘贴到源代码模式中，"
        "再切换回可视模式。",
        "3. 粘贴后逐项核对（各种编辑器保留的格式不同，缺了的在编辑器中补上）：",
        "   - 每张表格都有边框；看不到边框时，在编辑器的表格属性中把边框设为 1 像素。"
        "Quill 等没有表格边框设置的编辑器，边框只能由网站的样式提供，请在发布后的页面上确认；",
        "   - 每张表格的标题（如“等级分布”）在表格上方，不在表格下方；",
        "   - 表头（名次、机构名称等）每项单独成格并加粗，与下面的数字对齐；",
        "   - 表格没有固定宽度，在手机上不需左右拖动也能读完（可用平台的手机预览查看）；",
        "   - 正文中的链接（结果页地址、附件）都可点击；",
        "   - 文末落款（发布单位和日期）靠右；没有靠右时，选中落款用编辑器的“右对齐”设置。",
        "4. 用编辑器的“附件”或“上传文件”功能依次上传 " + "、".join(ATTACHED) + "。",
        "   正文“附件”一节的链接按文件名指向这三个文件：平台若把附件放在与文章相同的位置，链接无需改动；"
        "否则请逐个选中链接，改为上传后的附件地址。",
        "5. 预览文章，逐个点击附件链接确认能下载；正文所列 SHA-256 校验值应与下载的文件一致"
        "（全部发布文件的校验值见网站根目录的 SHA256SUMS）。",
        "6. 核对无误后发布。",
    ]
    return BOM + "\r\n".join(lines) + "\r\n"


def write(writer: Writer, site: SiteInput, env: jinja2.Environment, labels: Mapping[str, str]) -> None:
    """After the data files are written: copy them beside the fragment, then the fragment and notes.
    `labels`: what the year page calls each data file (by file name), from the registry of data files."""
    for rep in site.reports:
        y = rep.data.year
        attachments = []
        for name in ATTACHED:
            data = writer.read(urls.data_file(y, name))
            sha = writer.write(cms_file(y, name), data)
            attachments.append((name, labels[name], _size(len(data)), sha))
        writer.write(cms_file(y, FRAGMENT), BOM + fragment(env, site, rep, attachments))
        writer.write(cms_file(y, NOTES), instructions(site, rep, labels))
