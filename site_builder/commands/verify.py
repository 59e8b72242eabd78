"""`verify SITE_DIR`: is a built or downloaded copy of the site what the repo's data and ledger say?

Checks, reporting every difference (file, institution, indicator):
1. SHA256SUMS: every listed file is there with that hash, and every file is listed;
2. each year's `data/ledger.json`: the hash chain holds;
3. the site's ledger is the repo's ledger or a prefix of it (an older publication);
4. every file of the site is one a ledger entry recorded, with that hash: each year's files those of
   the year's latest entry (`files`), the shared ones (home page, assets, feed…) exactly those of
   one of the years' latest entries (`site_files`; entries written before it record none);
   a symlink or any other entry that is not a plain file or folder is named;
5. when the site is the repo's latest publication: building the repo's data gives the same bytes;
   when it does not while every file matched the ledgers, the site is the last publication and the
   repo holds changes not yet published: reported as authentic, with what is pending.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

from site_builder.errors import Problem, Problems, SiteBuilderError
from site_builder.record.chain import read_ledger
from site_builder.record.ledger import LEDGER_FILE, split_files
from site_builder.storage.outdir import MARKER, PLACEHOLDERS, read_manifest

INSTITUTION_PAGE = re.compile(r"^(\d{4})/institutions/([^/]+)/index\.html$")


class VerifyFailed(SiteBuilderError):
    def __init__(self, site: Path, differences: list[Problem]):
        self.differences = differences
        lines = "\n".join(f"  {d}" for d in differences)
        super().__init__(f"核验未通过：{site} 与发布记录或仓库数据有 {len(differences)} 处不一致：\n{lines}")


def _walk(folder: Path) -> tuple[dict[str, Path], list[Problem]]:
    """Every regular file of a site (relative posix path -> path), and a problem for each entry that
    is neither a file nor a folder: a symlink (to a file or a folder, never followed), a device, a
    pipe. Left out: the placeholders kept from the folder it replaced (.gitignore) and the output
    marker, the tool's manifest of what it wrote (neither is published; a saved copy need not hold
    them)."""
    files: dict[str, Path] = {}
    odd: list[Problem] = []
    for top, dirs, names in os.walk(folder, followlinks=False):
        here = Path(top)
        for name in sorted(dirs + names):
            path = here / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                kind = "目录" if name in dirs else "文件"
                odd.append(Problem(rel, f"这是指向其他位置的符号链接（{kind}），已发布的网站中只应有普通文件和目录"))
            elif name in names:
                if not path.is_file():
                    odd.append(Problem(rel, "这不是普通文件（设备、管道或套接字），已发布的网站中只应有普通文件和目录"))
                elif rel == MARKER:
                    continue  # the tool's manifest of what it wrote there: not published, a copy need not hold it
                elif rel not in PLACEHOLDERS:
                    files[rel] = path
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink())
    return dict(sorted(files.items())), odd


def _files(folder: Path) -> dict[str, Path]:
    return _walk(folder)[0]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_sums(site: Path, out: list[Problem]) -> dict[str, str]:
    """SHA256SUMS against the files (every symlink or other odd entry named); returns what it lists."""
    listed: dict[str, str] = {}
    sums = site / "SHA256SUMS"
    try:
        lines = sums.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        out.append(Problem("SHA256SUMS", "缺少或无法读取校验值清单"))
        return listed
    for n, line in enumerate(lines, start=1):
        m = re.fullmatch(r"([0-9a-f]{64}) [ *](.+)", line)
        if not m:
            out.append(Problem("SHA256SUMS", f"第 {n} 行格式不对：{line[:80]}"))
            continue
        listed[m.group(2)] = m.group(1)
    files, odd = _walk(site)
    out.extend(odd)
    files.pop("SHA256SUMS", None)
    linked = {p.file for p in odd}
    for rel in sorted(set(listed) | set(files)):
        if rel in linked or any(rel.startswith(f"{link}/") for link in linked):
            continue  # named above
        if rel not in files:
            if rel == MARKER:
                continue  # the build's marker as it writes it, or none: a saved copy need not hold it
            out.append(Problem(rel, "SHA256SUMS 列出了这个文件，但网站中没有"))
        elif rel not in listed:
            out.append(Problem(rel, "网站中有这个文件，但 SHA256SUMS 没有列出"))
        elif _sha(files[rel]) != listed[rel]:
            out.append(Problem(rel, "文件的 SHA-256 与 SHA256SUMS 所列不符"))
    return listed


def _manifest_problems(site: Path, diffs: list[Problem]) -> list[Problem]:
    """The tool's manifest in a copy (`.site-builder-output`: hosts serve it like any file) must be
    exactly what the tool writes: its text, listing every file of the copy with its SHA-256 and
    nothing else. A difference is named unless it is that of a file named already (`diffs`: a file
    changed, added or removed, and then SHA256SUMS redone): the manifest itself is then as written.
    A copy need not hold it at all."""
    path = site / MARKER
    if path.is_symlink() or not path.is_file():
        return []  # none (a symlink or odd entry is named by `_walk`)
    manifest = read_manifest(site)
    if manifest is None:
        return [Problem(MARKER, "这个文件名是本工具的输出清单，但内容不是本工具写出的清单；请删去它，或重新生成网站")]
    shown = {rel: _sha(p) for rel, p in _files(site).items()}
    named = {d.file for d in diffs}
    wrong = sorted(
        rel
        for rel in manifest.keys() | shown.keys()
        if manifest.get(rel) != shown.get(rel) and rel not in named and not (rel == "SHA256SUMS" and diffs)
    )
    if not wrong:
        return []
    names = "、".join(wrong[:5]) + ("等" if len(wrong) > 5 else "")
    return [
        Problem(
            MARKER,
            f"本工具的输出清单与网站中的文件不符（{len(wrong)} 个文件：{names}）；它被改动过：请删去它，或重新生成网站",
        )
    ]


def verify(site: Path, layout) -> str:
    """Check a site folder against its own checksums, its ledgers and the repo (see the module
    doc). Returns a summary; raises VerifyFailed listing every difference."""
    from site_builder.build.flow import build
    from site_builder.build.validate import load

    if not site.is_dir():
        raise SiteBuilderError(f"{site} 不是网站目录；请给出 build 的输出目录或下载保存的网站副本")
    diffs: list[Problem] = []
    notes: list[str] = []
    listed = check_sums(site, diffs)
    repo = load(layout)  # the repo's data and ledgers, checked (DataError when they do not hold)
    current = True  # the site is the repo's latest publication in every year
    years = sorted(
        {int(p.name) for p in site.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)}
        | {r.data.year for r in repo.reports}
    )
    by_year, shown_shared = split_files(listed, _published_years(site, years))
    recorded_shared: list[tuple[str, dict[str, str]]] = []  # (which publication, its shared files)
    every_file_recorded = True  # every file of the site is checked against a ledger entry
    for year in years:
        mine = repo.ledgers.get(year)
        path = site / str(year) / "data" / LEDGER_FILE
        rel = f"{year}/data/{LEDGER_FILE}"
        if not path.is_file():
            diffs.append(Problem(rel, f"网站中没有 {year} 年度的发布记录"))
            current = False
            continue
        problems = Problems()
        theirs = read_ledger(path, rel, year, problems)
        diffs.extend(problems.items)
        if theirs is None:
            current = False
            continue
        have = mine.entries if mine else []
        if len(theirs.entries) > len(have) or have[: len(theirs.entries)] != theirs.entries:
            n = next((i for i, (a, b) in enumerate(zip(have, theirs.entries), start=1) if a != b), None)
            where = f"第 {n} 次发布与仓库的不同" if n else f"有 {len(theirs.entries)} 次发布，仓库只有 {len(have)} 次"
            diffs.append(
                Problem(rel, f"网站的发布记录不是仓库发布记录（scores/{year}/{LEDGER_FILE}）或其前段：{where}")
            )
            current = False
            continue
        if len(theirs.entries) < len(have):
            current = False
            notes.append(
                f"{year} 年度：网站是第 {len(theirs.entries)} 次发布时的副本（仓库已有 {len(have)} 次发布），"
                "已按发布记录核对其文件"
            )
        if not theirs.entries:
            continue  # a year not published in this copy (a draft): its files are shared ones
        last = theirs.entries[-1]
        which = f"发布记录第 {len(theirs.entries)} 次发布"
        _against(last["files"], by_year[year], which, diffs)
        if "site_files" in last:
            recorded_shared.append((f"发布记录（{year} 年度）第 {len(theirs.entries)} 次发布", last["site_files"]))
    if recorded_shared:
        if all(shown_shared != files for _, files in recorded_shared):
            # the publication the shared files are closest to (the last made, on a tie)
            which, files = min(
                reversed(recorded_shared), key=lambda r: len(set(r[1].items()) ^ set(shown_shared.items()))
            )
            _against(files, shown_shared, which, diffs)
    else:  # ledgers written before `site_files`: the shared files are checked by the rebuild alone
        every_file_recorded = False
    if current:
        rebuilt = compare_rebuild(site, layout, build)
        if rebuilt and every_file_recorded and not diffs:
            notes.append(
                "网站与最近一次发布逐字节相同；仓库中另有尚未发布的改动（下一次 build --publish 时发布），"
                f"按仓库数据重新生成的网站与之有 {len(rebuilt)} 处不同：\n" + "\n".join(f"  {d}" for d in rebuilt)
            )
            current = False
        else:
            diffs.extend(rebuilt)
    diffs = _manifest_problems(site, diffs) + diffs
    if diffs:
        raise VerifyFailed(site, diffs)
    heads = "，".join(f"{y} 年度 {repo.ledgers[y].head or '尚未发布'}" for y in sorted(repo.ledgers))
    lines = [f"核验通过：{site} 的 {len(listed)} 个文件与 SHA256SUMS、发布记录一致（校验码：{heads}）。"]
    if current:
        lines.append("按仓库数据重新生成的网站与之逐字节相同。")
    return "\n".join(lines + notes)


def _published_years(site: Path, years: list[int]) -> list[int]:
    """The years this copy holds a publication of (its ledger has an entry): their folders are
    recorded in their entries' `files`; every other file, the folder of a year not published yet
    included, in the `site_files` of the publication that carried it (`ledger.split_files`)."""
    out = []
    for year in years:
        path = site / str(year) / "data" / LEDGER_FILE
        found = read_ledger(path, path.name, year, Problems()) if path.is_file() else None
        if found is not None and found.entries:
            out.append(year)
    return out


def _against(recorded: dict[str, str], shown: dict[str, str], which: str, diffs: list[Problem]) -> None:
    """The files SHA256SUMS lists (of a year, or the shared ones) against those an entry recorded."""
    for p in sorted(set(recorded) | set(shown)):
        if p not in shown:
            diffs.append(Problem(p, f"{which}有这个文件，但网站的 SHA256SUMS 中没有"))
        elif p not in recorded:
            diffs.append(Problem(p, f"网站有这个文件，但{which}中没有"))
        elif recorded[p] != shown[p]:
            diffs.append(Problem(p, f"文件的 SHA-256 与{which}所记不符"))


def compare_rebuild(site: Path, layout, build) -> list[Problem]:
    """Build the repo's data into a temporary folder and compare it with the site file by file."""
    tmp = Path(tempfile.mkdtemp(prefix="verify-"))
    try:
        out = tmp / "site"
        # nothing kept in the repo (no cache, no compiled templates); DataError when the data does not hold
        build(replace(layout, out=out), workers=1, cache=False, keep_compiled=False)
        fresh, theirs = _files(out), _files(site)
        diffs: list[Problem] = []
        for rel in sorted(set(fresh) | set(theirs)):
            if rel not in theirs:
                diffs.append(Problem(rel, "按仓库数据生成的网站有这个文件，但网站中没有"))
            elif rel not in fresh:
                diffs.append(Problem(rel, "网站中有这个文件，但按仓库数据生成的网站没有"))
            elif fresh[rel].read_bytes() != theirs[rel].read_bytes():
                diffs.extend(_explain(rel, theirs[rel], fresh[rel]))
        return diffs
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Unreadable(Exception):
    """A data file of the site that cannot be read record by record (not UTF-8, not JSON or CSV or a
    workbook, or not the shape the build writes): it is reported as differing as a whole."""


def _explain(rel: str, site_file: Path, fresh: Path) -> list[Problem]:
    """What differs inside a file, by institution and indicator where the file says so."""
    m = INSTITUTION_PAGE.match(rel)
    found: list[Problem] = []
    try:
        if rel.endswith("/data/results.json"):
            found = _diff_records(rel, _json_rows(site_file), _json_rows(fresh))
        elif rel.endswith("/data/results.csv"):
            (site_header, site_rows), (header, rows) = _csv_rows(site_file), _csv_rows(fresh)
            if site_header != header:
                raise Unreadable  # other columns: the rows cannot be compared field by field
            found = _diff_records(rel, site_rows, rows)
        elif rel.endswith("/data/results.xlsx"):
            found = _diff_xlsx(rel, site_file, fresh)
    except Unreadable:
        found = []
    if found:
        return found
    if m:
        return [Problem(rel, "页面与按仓库数据生成的不同", institution=m.group(2))]
    return [Problem(rel, "内容与按仓库数据生成的不同")]


def _json_rows(path: Path) -> dict[str, dict]:
    """results.json's institutions by id, and its other fields under the id ''."""
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8, not JSON
        raise Unreadable from exc
    institutions = doc.get("institutions") if isinstance(doc, dict) else None
    if not isinstance(institutions, list) or not all(
        isinstance(r, dict) and isinstance(r.get("id"), str) for r in institutions
    ):
        raise Unreadable
    rows = {r["id"]: r for r in institutions}
    rows[""] = {k: v for k, v in doc.items() if k != "institutions"}
    return rows


def _csv_rows(path: Path) -> tuple[list[str], dict[str, dict]]:
    """results.csv's header, and its rows by institution: the first column (机构编号)."""
    try:
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""), strict=True))
    except (OSError, ValueError, csv.Error) as exc:  # ValueError: not UTF-8
        raise Unreadable from exc
    if not rows or not rows[0] or any(not row for row in rows[1:]):
        raise Unreadable
    header = rows[0]
    return header, {row[0]: dict(zip(header, row)) for row in rows[1:]}


def _diff_records(rel: str, site: dict[str, dict], fresh: dict[str, dict]) -> list[Problem]:
    out = []
    for inst in sorted(set(site) | set(fresh)):
        a, b = site.get(inst), fresh.get(inst)
        who = inst or None
        if a is None or b is None:
            out.append(Problem(rel, "网站中多出这个机构" if b is None else "网站中缺少这个机构", institution=who))
            continue
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                out.append(
                    Problem(rel, f"{key} 在网站中为 {_s(a.get(key))}，按仓库数据应为 {_s(b.get(key))}", institution=who)
                )
    return out


def _cells(wb) -> dict[tuple[str, str], tuple]:
    """A results workbook's values by (institution, indicator or column): each indicator's maximum,
    score, reason and self-assessment (指标得分 sheets), each result column (考核结果)."""
    out = {}
    for ws in wb.worksheets:
        if ws.title.startswith("指标得分"):
            for row in ws.iter_rows(min_row=2, values_only=True):
                if row[0] is None or row[2] is None:  # no institution or indicator: not the build's
                    raise Unreadable
                out[(str(row[0]), str(row[2]))] = _trimmed(row[3:])
        elif ws.title == "考核结果":
            rows = ws.iter_rows(values_only=True)
            header = next(rows)  # StopIteration: an empty sheet
            for row in rows:
                if row[0] is None:
                    raise Unreadable
                for name, value in zip(header[1:], row[1:]):
                    if value is not None:  # an empty cell, or none at the end of a row: the same
                        out[(str(row[0]), str(name))] = (value,)
    return out


def _trimmed(values: tuple) -> tuple:
    """The values without the empty cells that end a row: a workbook saved by another program (a
    spreadsheet) pads its rows with them, the build's does not; the cells a reader sees are the same."""
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    return values[:end]


def _diff_xlsx(rel: str, site_file: Path, fresh: Path) -> list[Problem]:
    from openpyxl import load_workbook

    def cells(path: Path) -> dict[tuple[str, str], tuple]:
        try:
            wb = load_workbook(path, read_only=True)
        except (OSError, ValueError, KeyError, SyntaxError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            # what openpyxl raises on a file that is no workbook: not a zip, a part missing (KeyError
            # from zipfile), a damaged part (a bad CRC, data that does not inflate: zlib.error), XML
            # that does not parse (a SyntaxError), a value it cannot convert
            raise Unreadable from exc
        try:
            return _cells(wb)
        # IndexError: a short row; a sheet's part damaged is found only when it is read (streamed)
        except (
            ValueError,
            KeyError,
            SyntaxError,
            IndexError,
            StopIteration,
            EOFError,
            zipfile.BadZipFile,
            zlib.error,
        ) as exc:
            raise Unreadable from exc
        finally:
            wb.close()

    a, b = cells(site_file), cells(fresh)
    out = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            inst, what = key
            indicator = what if re.fullmatch(r"\d-\d{2}", what) else None
            label = "得分、扣分原因或自评分" if indicator else what
            out.append(
                Problem(
                    rel,
                    f"{label}在网站中为 {_s(a.get(key))}，按仓库数据应为 {_s(b.get(key))}",
                    institution=inst,
                    indicator=indicator,
                )
            )
    return out


def _s(value) -> str:
    if value is None:
        return "（无）"
    if isinstance(value, tuple):
        return "、".join(_s(v) for v in value if v is not None) or "（无）"
    return str(value)
