"""`verify SITE_DIR`: is a built or downloaded copy of the site what the repo's data and ledger say?

Checks, reporting every difference (file, institution, indicator):
1. SHA256SUMS: every listed file is there with that hash, and every file is listed;
2. each year's `data/ledger.json`: the hash chain holds;
3. the site's ledger is the repo's ledger or a prefix of it (an older publication);
4. the site's files of each year are those its latest ledger entry recorded;
5. when the site is the repo's latest publication: building the repo's data gives the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from site_builder.errors import DataError, Problem, Problems, SiteBuilderError
from site_builder.record.chain import read_ledger
from site_builder.record.ledger import LEDGER_FILE
from site_builder.storage.outdir import MARKER, PLACEHOLDERS

INSTITUTION_PAGE = re.compile(r"^(\d{4})/institutions/([^/]+)/index\.html$")


class VerifyFailed(SiteBuilderError):
    def __init__(self, site: Path, differences: list[Problem]):
        self.differences = differences
        lines = "\n".join(f"  {d}" for d in differences)
        super().__init__(f"核验未通过：{site} 与发布记录或仓库数据有 {len(differences)} 处不一致：\n{lines}")


def _files(folder: Path) -> dict[str, Path]:
    """Every file of a site but the placeholders kept from the folder it replaced (.gitignore) and
    the tool's manifest of what it wrote there (the marker, not published content)."""
    return {
        p.relative_to(folder).as_posix(): p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix() not in (*PLACEHOLDERS, MARKER)
    }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_sums(site: Path, out: list[Problem]) -> dict[str, str]:
    """SHA256SUMS against the files; returns what it lists."""
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
    files = _files(site)
    files.pop("SHA256SUMS", None)
    for rel in sorted(set(listed) | set(files)):
        if rel not in files:
            out.append(Problem(rel, "SHA256SUMS 列出了这个文件，但网站中没有"))
        elif rel not in listed:
            out.append(Problem(rel, "网站中有这个文件，但 SHA256SUMS 没有列出"))
        elif _sha(files[rel]) != listed[rel]:
            out.append(Problem(rel, "文件的 SHA-256 与 SHA256SUMS 所列不符"))
    return listed


def verify(site: Path, layout) -> str:
    """Check a site folder against its own checksums, its ledgers and the repo (see the module
    doc). Returns a summary; raises VerifyFailed listing every difference."""
    from site_builder.build.flow import build
    from site_builder.build.validate import load

    if not (site / "SHA256SUMS").is_file() and not site.is_dir():
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
        if theirs.entries:
            recorded = theirs.entries[-1]["files"]
            shown = {p: h for p, h in listed.items() if p.startswith(f"{year}/") and p != rel}
            for p in sorted(set(recorded) | set(shown)):
                if p not in shown:
                    diffs.append(
                        Problem(p, f"发布记录第 {len(theirs.entries)} 次发布有这个文件，但网站的 SHA256SUMS 中没有")
                    )
                elif p not in recorded:
                    diffs.append(Problem(p, f"网站有这个文件，但发布记录第 {len(theirs.entries)} 次发布中没有"))
                elif recorded[p] != shown[p]:
                    diffs.append(Problem(p, f"文件的 SHA-256 与发布记录第 {len(theirs.entries)} 次发布所记不符"))
    if current:
        diffs.extend(compare_rebuild(site, layout, build))
    if diffs:
        raise VerifyFailed(site, diffs)
    heads = "，".join(f"{y} 年度 {repo.ledgers[y].head or '尚未发布'}" for y in sorted(repo.ledgers))
    lines = [f"核验通过：{site} 的 {len(listed)} 个文件与 SHA256SUMS、发布记录一致（校验码：{heads}）。"]
    if current:
        lines.append("按仓库数据重新生成的网站与之逐字节相同。")
    return "\n".join(lines + notes)


def compare_rebuild(site: Path, layout, build) -> list[Problem]:
    """Build the repo's data into a temporary folder and compare it with the site file by file."""
    tmp = Path(tempfile.mkdtemp(prefix="verify-"))
    try:
        out = tmp / "site"
        try:
            build(replace(layout, out=out), workers=1, cache=False)
        except DataError:
            raise
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


def _explain(rel: str, site_file: Path, fresh: Path) -> list[Problem]:
    """What differs inside a file, by institution and indicator where the file says so."""
    m = INSTITUTION_PAGE.match(rel)
    found: list[Problem] = []
    try:
        if rel.endswith("/data/results.json"):
            found = _diff_records(rel, _json_rows(site_file), _json_rows(fresh))
        elif rel.endswith("/data/results.csv"):
            found = _diff_records(rel, _csv_rows(site_file), _csv_rows(fresh))
        elif rel.endswith("/data/results.xlsx"):
            found = _diff_xlsx(rel, site_file, fresh)
    except Exception:  # noqa: BLE001 - an unreadable file is reported as differing, below
        found = []
    if found:
        return found
    if m:
        return [Problem(rel, "页面与按仓库数据生成的不同", institution=m.group(2))]
    return [Problem(rel, "内容与按仓库数据生成的不同")]


def _json_rows(path: Path) -> dict[str, dict]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    rows = {r["id"]: r for r in doc["institutions"]}
    rows[""] = {k: v for k, v in doc.items() if k != "institutions"}
    return rows


def _csv_rows(path: Path) -> dict[str, dict]:
    text = path.read_bytes().decode("utf-8-sig")
    return {r["id"]: r for r in csv.DictReader(io.StringIO(text))}


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


def _diff_xlsx(rel: str, site_file: Path, fresh: Path) -> list[Problem]:
    from openpyxl import load_workbook

    def cells(path: Path) -> dict[tuple[str, str], tuple]:
        wb = load_workbook(path, read_only=True)
        out = {}
        for ws in wb.worksheets:
            if ws.title.startswith("指标得分"):
                for row in ws.iter_rows(min_row=2, values_only=True):
                    out[(str(row[0]), str(row[2]))] = row[3:]
            elif ws.title == "考核结果":
                header = None
                for row in ws.iter_rows(values_only=True):
                    if header is None:
                        header = row
                        continue
                    for name, value in zip(header[1:], row[1:]):
                        out[(str(row[0]), str(name))] = (value,)
        return out

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
