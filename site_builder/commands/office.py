"""`office`: the year's documents for the office (公告, 通知书, 工作报告, 新闻通稿) in ROOT/office/<year>/.

Read and check everything first (the same load as `build`), make every document in memory, scan
their text for personal information, and only then write the folder in one swap (with a SHA256SUMS),
so a failed run leaves the last good folder as it was.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from site_builder.build.layout import Layout
from site_builder.build.validate import load
from site_builder.errors import BuildError, Problems
from site_builder.office.documents import Context, all_documents
from site_builder.pages.stats import compute
from site_builder.publish.privacy import HINT, Scanner, site_contacts
from site_builder.storage.swap import claim_output, replace_output
from site_builder.storage.writer import Writer

CHECKSUMS = "SHA256SUMS"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PARAGRAPH = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?p[\s/>]")  # a paragraph element, under any prefix
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def office_dir(layout: Layout, year: int) -> Path:
    return layout.root / "office" / str(year)


def docx_text(data: bytes) -> str:
    """Every text of a .docx as a reader sees it, one paragraph a line: the body with its tables,
    every header and footer, and the document's properties (title, author)."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in sorted(z.namelist()):
            if not (name.startswith("word/") or name.startswith("docProps/")) or not name.endswith(".xml"):
                continue
            raw = z.read(name)
            if not name.startswith("docProps/") and not _PARAGRAPH.search(raw):
                continue  # no paragraph, no text a reader sees (styles: 0.8 MB of the 0.9 MB of a notice)
            root = ElementTree.fromstring(raw)
            for p in root.iter(f"{{{W}}}p"):
                parts.append("".join(t.text or "" for t in p.iter(f"{{{W}}}t")))
            if name.startswith("docProps/"):
                parts.extend(el.text for el in root.iter() if el.text and el.text.strip())
    return "\n".join(parts)


def safe_name(path: str) -> str:
    """A file name every system accepts: characters Windows refuses become _."""
    return "/".join(_UNSAFE_NAME.sub("_", part) for part in path.split("/"))


def write_office(layout: Layout, year: int | None = None, out: Path | None = None) -> tuple[int, Path, dict[str, str]]:
    """Write the year's documents (default: the latest year). Returns (year, folder, files written)."""
    site = load(layout)
    years = [r.data.year for r in site.reports]
    if not years:
        raise BuildError("没有任何年度的数据；请先在 scores/ 下放入年度目录")
    year = year if year is not None else years[-1]
    report = next((r for r in site.reports if r.data.year == year), None)
    if report is None:
        raise BuildError(f"没有 {year} 年的数据；已有：{'、'.join(map(str, years))}")
    if year not in site.announcements:
        raise BuildError(f"content/{year}/announcement.md 不存在：公告和通知书的依据、落款取自它")
    docs = {safe_name(k): v for k, v in all_documents(Context(site, report, compute(report))).items()}
    scanner = Scanner(*site_contacts(site.config))
    problems = Problems()
    for name, data in docs.items():
        text = docx_text(data) if name.endswith(".docx") else data.decode("utf-8-sig")
        for finding in scanner.find(text):
            problems.add(
                f"office/{year}/{name}", f"含有{finding.kind}（{finding.masked}）；{HINT}；它来自评分数据或页面内容"
            )
    problems.raise_if_any()
    target = out if out is not None else office_dir(layout, year)
    protected = layout.protected(site=True)

    def fill(writer: Writer) -> None:
        for name, data in docs.items():
            writer.write(name, data)
        writer.write(CHECKSUMS, "".join(f"{sha}  {path}\n" for path, sha in sorted(writer.written.items())))

    with claim_output(target, layout.root, protected) as folder:
        written = replace_output(folder, fill)
    return year, target, written
