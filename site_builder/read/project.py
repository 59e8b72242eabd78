"""Load a whole project: every year's rubric, roster, status, score sheets and corrections.

The readers of each kind of file live in their own modules (`rubricfile`, `rosterfile`,
`sheetfile`, with what they share in `datafile`); this module walks the folders, ties a year
together and collects every problem: `load_project` raises one DataError listing them all.
Nothing is written anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from site_builder.domain import corrections, objections
from site_builder.domain.models import Correction, YearData
from site_builder.errors import Problems
from site_builder.read.datafile import (  # noqa: F401 - re-exported for the rest of the package
    INDICATOR_ID,
    INSTITUTION_ID,
    YEAR_DIR,
    Paths,
    join,
    outside_message,
    read_data,
)
from site_builder.read.inventory import entries, unknown
from site_builder.read.objections import load_objections
from site_builder.read.roster import check_dates_against_sheets, load_roster, load_status
from site_builder.read.rubric import load_rubric
from site_builder.read.sheet import load_sheet  # noqa: F401 - re-exported
from site_builder.storage.sealed import CacheFolder
from site_builder.storage.sheetcache import load_sheets

RESERVED_FILES = {
    "roster.yaml",
    "status.yaml",
    corrections.CORRECTIONS_FILE,
    corrections.RECORD_FILE,
    "ledger.json",  # record.ledger.LEDGER_FILE, of a layer above this one
    objections.OBJECTIONS_FILE,
}


def load_year(year_dir: Path, paths: Paths, problems: Problems) -> YearData | None:
    year = int(year_dir.name)
    rubric_path = paths.rubric / f"{year}.yaml"
    rel_dir = paths.rel(year_dir)
    if not rubric_path.is_file():
        problems.add(paths.rel(rubric_path), f"缺少 {year} 年的评估表文件")
        rubric = None
    else:
        rubric = load_rubric(rubric_path, paths, problems)
        if rubric is not None and rubric.year != year:
            problems.add(paths.rel(rubric_path), f"year 为 {rubric.year}，但文件是 {year} 年的评估表")
            rubric = None
    roster = status = None
    for name in ("roster.yaml", "status.yaml"):
        if not (year_dir / name).exists():
            problems.add(f"{rel_dir}/{name}", f"缺少 {year} 年的{'机构名单' if name == 'roster.yaml' else '状态文件'}")
    if (year_dir / "roster.yaml").is_file():
        roster = load_roster(year_dir / "roster.yaml", year, paths, problems)
    if (year_dir / "status.yaml").is_file():
        status = load_status(year_dir / "status.yaml", paths, problems)

    def wanted(path: Path) -> str | None:
        if path.name in RESERVED_FILES:
            return None if path.is_file() else not_a_file_message(path.name)
        if path.suffix != ".yaml" or not path.is_file():
            return unknown(
                f"{rel_dir}/ 只放评分表 <机构编号>.yaml（如 P01.yaml）和 roster.yaml、status.yaml、"
                "corrections.yaml、objections.yaml、ledger.json"
            )
        return None if paths.inside(path) else outside_message()

    sheet_paths = [p for p in entries(year_dir, wanted, paths.rel, problems) if p.name not in RESERVED_FILES]
    if rubric is None or roster is None:
        return None  # sheets cannot be checked without both; their problems are reported above
    context = rubric_path.read_bytes() + b"\0" + (year_dir / "roster.yaml").read_bytes()
    cache_file = paths.cache.entries(f"sheets-{year}.marshal") if paths.cache else None
    sheets = load_sheets(
        sheet_paths,
        lambda p, found: load_sheet(p, rubric, roster, paths, found),
        paths.rel,
        problems,
        context,
        cache_file,
        paths.workers,
    )
    corrections_path = year_dir / corrections.CORRECTIONS_FILE
    fixes: list[Correction] = []
    if corrections_path.is_file():
        raw = read_data(corrections_path, paths, problems, "corrections", allow_empty=True)
        fixes = corrections.parse_corrections(raw, paths.rel(corrections_path), rubric, roster, problems)
    if status is None:
        return None
    check_dates_against_sheets(status, sheets, problems)
    order = {inst.id: inst.order for inst in roster.institutions}
    sheets.sort(key=lambda s: order[s.institution])
    objs = load_objections(year_dir, paths, roster, status, fixes, problems)
    return YearData(
        year, rubric, roster, status, tuple(sheets), tuple(fixes), objs
    )  # record: reconcile.read_year_ledgers


OPTIONAL_FILES = {
    corrections.CORRECTIONS_FILE: "没有更正时不需要它",
    corrections.RECORD_FILE: "它是旧的发布记录，没有时不需要它",
    "ledger.json": "它由 build --publish 写出",
    objections.OBJECTIONS_FILE: "没有异议时不需要它",
}
FIRST_YEAR, LAST_YEAR = 2000, 2099


def not_a_file_message(name: str) -> str:
    """A reserved name of a year folder that is a folder (or anything else but a file)."""
    why = OPTIONAL_FILES.get(name)
    return f"不是文件（是一个目录）；{name} 须为文件；请删去这个目录" + (f"（{why}）" if why else f"，换成 {name} 文件")


def plausible_year(name: str) -> bool:
    return FIRST_YEAR <= int(name) <= LAST_YEAR


def list_year_dirs(scores_dir: Path) -> list[Path]:
    """The year folders (named like 2023) under a scores folder, oldest first."""
    if not scores_dir.is_dir():
        return []
    return sorted(
        p for p in scores_dir.iterdir() if p.is_dir() and YEAR_DIR.fullmatch(p.name) and plausible_year(p.name)
    )


def load_project(
    scores_dir: Path, rubric_dir: Path, base: Path | None = None, cache: CacheFolder | None = None, workers: int = 1
) -> list[YearData]:
    """Load every year under scores_dir (folders named like 2023), with validated sheets and rosters
    from `cache` where it holds them, many sheets parsed by `workers` processes. Raises DataError on
    any problem."""
    paths = Paths(rubric=rubric_dir, scores=scores_dir, base=base or Path.cwd(), cache=cache, workers=workers)
    problems = Problems()
    for folder, what in ((scores_dir, "评分数据目录（各年度的名单、状态和评分表）"), (rubric_dir, "评估表目录")):
        if not folder.is_dir():  # every missing input in one run, with a path that cannot be misread
            problems.add(os.path.abspath(folder), f"{what}不存在")
    problems.raise_if_any()

    def year_folder(path: Path) -> str | None:
        if not (path.is_dir() and YEAR_DIR.fullmatch(path.name)):
            return unknown(f"{paths.rel(scores_dir)}/ 只放年度目录（四位年份，如 2023/）")
        if not plausible_year(path.name):
            return (
                f"年度目录名 {path.name} 不是合理的年份；年度目录须以四位年份命名"
                f"（{FIRST_YEAR}–{LAST_YEAR}，如 2023），请改名或删去这个目录"
            )
        return None

    year_dirs = entries(scores_dir, year_folder, paths.rel, problems)

    def rubric_file(path: Path) -> str | None:
        if path.is_file() and path.suffix == ".yaml" and YEAR_DIR.fullmatch(path.stem):
            return None
        return unknown(f"{paths.rel(rubric_dir)}/ 只放各年度的评估表 <年份>.yaml（如 2023.yaml，扩展名是 .yaml）")

    entries(rubric_dir, rubric_file, paths.rel, problems)
    if not year_dirs:
        problems.add(paths.rel(scores_dir), "没有年度目录（如 scores/2023/）")
    years = [y for d in year_dirs if (y := load_year(d, paths, problems))]
    problems.raise_if_any()
    return years
