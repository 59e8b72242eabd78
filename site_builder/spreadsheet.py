"""The `workbook` and `import` commands: scoring workbooks out, filled workbooks in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from site_builder import workbook as wbk
from site_builder.build import Layout
from site_builder.errors import Problems
from site_builder.loader import Paths, list_year_dirs, load_project, load_roster, load_rubric, load_sheet
from site_builder.models import Roster, Rubric
from site_builder.output import atomic_write


def _year_inputs(layout: Layout, year: int | None, problems: Problems) -> tuple[int, Rubric | None, Roster | None]:
    paths = Paths(layout.rubric, layout.scores, layout.root)
    if year is None:
        years = [int(p.name) for p in list_year_dirs(layout.scores)]
        if not years:
            problems.add(paths.rel(layout.scores), "没有年度目录（如 scores/2023/）；用 --year 和 --scores 指定")
            problems.raise_if_any()
        year = years[-1]
    rubric_path, roster_path = layout.rubric / f"{year}.yaml", layout.scores / str(year) / "roster.yaml"
    for path, what in ((rubric_path, "评估表"), (roster_path, "机构名单")):
        if not path.is_file():
            problems.add(paths.rel(path), f"缺少 {year} 年的{what}")
    problems.raise_if_any()
    return year, load_rubric(rubric_path, paths, problems), load_roster(roster_path, year, paths, problems)


def write_workbook(layout: Layout, out: Path, year: int | None, ids: list[str], fill: bool) -> tuple[int, int]:
    """Write the scoring workbook; returns (year, worksheets). With fill, from the existing sheets."""
    problems = Problems()
    year, rubric, roster = _year_inputs(layout, year, problems)
    problems.raise_if_any()
    sheets = {}
    when = dt.date(year, 12, 31)
    if fill:
        data = next((y for y in load_project(layout.scores, layout.rubric, base=layout.root) if y.year == year), None)
        if data is not None:
            sheets = {s.institution: s for s in data.sheets}
            when = data.status.published_on or when
    chosen = []
    for inst_id in ids:
        inst = roster.get(inst_id)
        if inst is None:
            problems.add(roster.path, f"--institution {inst_id} 不在 {year} 年名单中", institution=inst_id)
        else:
            chosen.append(inst)
    problems.raise_if_any()
    institutions = chosen or [i for i in roster.institutions if i.active]
    atomic_write(out, wbk.make_workbook(rubric, roster, institutions, sheets, when))
    return year, len(institutions)


@dataclass(frozen=True)
class ImportResult:
    written: list[Path]
    unchanged: list[Path]


def import_workbooks(layout: Layout, files: list[Path], into: Path | None, force: bool) -> ImportResult:
    """Check every workbook; write the YAML sheets only if all of them are right."""
    into = into or layout.scores
    problems = Problems()
    imported: list[wbk.ImportedSheet] = []
    inputs: dict[int, tuple[Rubric, Roster]] = {}
    for path in files:
        label = path.name
        opened = wbk.read_year(path, label, problems)
        if opened is None:
            continue
        wb, year = opened
        if year not in inputs:
            _, rubric, roster = _year_inputs(Layout(layout.root, into, layout.rubric, layout.content, layout.out),
                                             year, problems)
            if rubric is None or roster is None:
                continue
            inputs[year] = (rubric, roster)
        rubric, roster = inputs[year]
        try:
            imported += wbk.import_sheets(wb, label, rubric, roster, problems)
        finally:
            wb.close()
    problems.raise_if_any()

    seen: dict[tuple[int, str], int] = {}
    for sheet in imported:
        key = (sheet.year, sheet.institution)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            problems.add(sheet.institution, "同一机构在导入的工作簿中出现了不止一次", institution=sheet.institution)
    paths = Paths(layout.rubric, into, layout.root)
    plans: list[tuple[Path, str]] = []
    unchanged = []
    for sheet in imported:  # checked cell by cell with the same rules as a YAML sheet (rules.check_item)
        rubric, roster = inputs[sheet.year]
        target = into / str(sheet.year) / f"{sheet.institution}.yaml"
        if target.is_file():
            existing = load_sheet(target, rubric, roster, paths, problems)
            if existing is None:
                continue
            diff = wbk.differences(wbk.sheet_as_data(existing), sheet.data)
            if not diff:
                unchanged.append(target)
                continue
            if not force:
                problems.add(paths.rel(target), "已有评分表与工作簿不同，未覆盖（确认无误后加 --force）："
                             + "；".join(diff), institution=sheet.institution)
                continue
        plans.append((target, sheet.yaml_text))
    problems.raise_if_any()
    for target, text in plans:
        atomic_write(target, text)
    return ImportResult([t for t, _ in plans], unchanged)


