"""The `workbook` and `import` commands: scoring workbooks out, filled workbooks in."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from site_builder.build.flow import Layout
from site_builder.common.messages import absolute
from site_builder.common.processes import map_forked
from site_builder.domain.models import Roster, Rubric
from site_builder.errors import BuildError, DataError, Problems
from site_builder.read.config import load_config
from site_builder.read.project import Paths, list_year_dirs, load_project, load_roster, load_rubric, load_sheet
from site_builder.sheets import sheetyaml
from site_builder.sheets import workbook as wbk
from site_builder.storage.files import atomic_write
from site_builder.storage.writer import is_data_file, replace_file


def _year_inputs(layout: Layout, year: int | None, problems: Problems) -> tuple[int, Rubric | None, Roster | None]:
    paths = Paths(layout.rubric, layout.scores, layout.root)
    for folder, what in ((layout.scores, "评分数据目录（各年度的名单、状态和评分表）"), (layout.rubric, "评估表目录")):
        if not folder.is_dir():  # the same words as validate and build
            problems.add(absolute(folder), f"{what}不存在")
    problems.raise_if_any()
    if year is None:
        years = [int(p.name) for p in list_year_dirs(layout.scores)]
        if not years:
            problems.add(paths.rel(layout.scores), "没有年度目录（如 scores/2023/）")
            problems.raise_if_any()
        year = years[-1]
    rubric_path, roster_path = layout.rubric / f"{year}.yaml", layout.scores / str(year) / "roster.yaml"
    for path, what in ((rubric_path, "评估表"), (roster_path, "机构名单")):
        if not path.is_file():
            problems.add(paths.rel(path), f"缺少 {year} 年的{what}")
    problems.raise_if_any()
    return year, load_rubric(rubric_path, paths, problems), load_roster(roster_path, year, paths, problems)


def write_workbook(
    layout: Layout, out: Path, year: int | None, ids: list[str], fill: bool, force: bool = False
) -> tuple[int, int]:
    """Write the scoring workbook; returns (year, worksheets). With fill, from the existing sheets.
    An existing file is replaced only if this command wrote it (and nobody changed it) or with
    `force`, a data file of the project never (`writer.replace_file`)."""
    if what := is_data_file(
        out, layout.protected(site=True)
    ):  # before the name: the stronger refusal, whatever --force
        raise BuildError(f"拒绝写出 {out}：{what}，未写出任何文件")
    if out.suffix.lower() != ".xlsx":  # what is written is an .xlsx: any other name misleads Excel, WPS and the clerk
        raise BuildError(
            f"--out {out.name}：评分工作簿是 Excel 工作簿（.xlsx），文件名须以 .xlsx 结尾；"
            f"请改为 {out.stem if out.suffix else out.name}.xlsx"
        )
    problems = Problems()
    year, rubric, roster = _year_inputs(layout, year, problems)
    problems.raise_if_any()
    assert rubric is not None and roster is not None  # each is None only with a problem reported
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
    replace_file(
        out,
        wbk.make_workbook(rubric, roster, institutions, sheets, when),
        layout.protected(site=True),
        force,
        layout.cache,
    )
    return year, len(institutions)


@dataclass(frozen=True)
class ImportResult:
    written: list[Path]
    unchanged: list[Path]
    files: list[tuple[str, list[str], list[str]]] = field(default_factory=list)  # (workbook, imported, skipped)

    def report(self) -> list[str]:
        """What `import` prints: per workbook what was taken and what was skipped, then each file."""
        lines = []
        for label, taken, skipped in self.files:
            line = f"{label}：导入 {len(taken)} 个机构" + (f"（{'、'.join(taken)}）" if taken else "")
            if skipped:
                line += f"；跳过 {len(skipped)} 张未填写的工作表：{'、'.join(skipped)}"
            lines.append(line)
        lines += [f"已写出 {p}" for p in self.written]
        lines += [f"未变：{p}" for p in self.unchanged]
        return lines


def import_workbooks(layout: Layout, files: list[Path], into: Path | None, force: bool) -> ImportResult:
    """Check every workbook; write the YAML sheets only if all of them are right.

    Only the sheets an expert filled are taken (a sheet with nothing entered is skipped and listed),
    so one workbook per expert group, each with some institutions filled, merges back sheet by sheet.
    """
    into = into or layout.scores
    problems = Problems()
    imported: list[wbk.ImportedSheet] = []
    origin: dict[int, str] = {}  # id(imported sheet) -> workbook label
    summaries: list[tuple[str, list[str], list[str]]] = []
    inputs: dict[int, tuple[Rubric, Roster]] = {}
    names = [p.name for p in files]
    privacy = _privacy_check(layout)
    for path in files:
        label = path.name if names.count(path.name) == 1 else str(path)
        if not path.is_file():
            problems.add(
                absolute(path),
                "这是文件夹，不是工作簿"
                if path.is_dir()
                else f"文件不存在；请检查文件名和所在文件夹（当前目录 {absolute('.')}）",
            )
            continue
        opened = wbk.read_year(path, label, problems)
        if opened is None:
            continue
        wb, year = opened
        if year not in inputs:
            found = Problems()  # its own list: the year's inputs stop at their own problems, not at the earlier files'
            try:
                _, rubric, roster = _year_inputs(
                    Layout(layout.root, into, layout.rubric, layout.content, layout.out), year, found
                )
            except DataError:
                rubric = roster = None
            problems.items += found.items
            if rubric is None or roster is None:
                wb.close()
                continue
            inputs[year] = (rubric, roster)
        rubric, roster = inputs[year]
        skipped: list[str] = []
        try:
            sheets = wbk.import_sheets(wb, label, rubric, roster, problems, skipped, privacy)
        finally:
            wb.close()
        for sheet in sheets:
            origin[id(sheet)] = label
        imported += sheets
        summaries.append((label, [s.institution for s in sheets], [t.split()[0] for t in skipped]))
    # no stop here: the sheets that are right are still compared below, so that one run names every problem

    first: dict[tuple[int, str], wbk.ImportedSheet] = {}
    unique = []
    for sheet in imported:
        key = (sheet.year, sheet.institution)
        if key not in first:
            first[key] = sheet
            unique.append(sheet)
            continue
        diff = wbk.differences(first[key].data, sheet.data)
        if diff:
            problems.add(
                f"{origin[id(sheet)]}!{sheet.institution}",
                f"在 {origin[id(first[key])]} 和 {origin[id(sheet)]} 中都填写了，且内容不同："
                + "；".join(diff)
                + "；请只在一份工作簿中填写该机构，另一份清空后再导入",
                institution=sheet.institution,
            )
    imported = unique
    paths = Paths(layout.rubric, into, layout.root)
    plans: list[_Plan] = []
    edits: list[tuple[int, bytes, dict, dict]] = []  # (plan, the file's bytes, its data, the workbook's)
    unchanged = []
    for sheet in imported:  # checked cell by cell with the same rules as a YAML sheet (rules.check_item)
        rubric, roster = inputs[sheet.year]
        target = into / str(sheet.year) / f"{sheet.institution}.yaml"
        if not target.is_file():
            plans.append(
                _Plan(
                    target,
                    paths.rel(target),
                    _text_of(paths.rel(target), problems, sheetyaml.new_text, sheet.data, sheet.name),
                )
            )
            continue
        existing = load_sheet(target, rubric, roster, paths, problems)
        if existing is None:
            continue
        old = wbk.sheet_as_data(existing)
        diff = wbk.differences(old, sheet.data)
        if not diff:
            unchanged.append(target)
            continue
        if not force:
            problems.add(
                paths.rel(target),
                "已有评分表与工作簿不同，未覆盖（确认无误后加 --force）：" + "；".join(diff),
                institution=sheet.institution,
            )
            continue
        try:
            raw = target.read_bytes()
        except OSError as exc:
            problems.add(paths.rel(target), f"无法读取文件：{exc.strerror}", institution=sheet.institution)
            continue
        if hashlib.sha256(raw).hexdigest() != existing.digest:  # edited between the check and now
            problems.add(paths.rel(target), CHANGED_MEANWHILE, institution=sheet.institution)
            continue
        edits.append((len(plans), raw, old, sheet.data))
        plans.append(_Plan(target, paths.rel(target), "", raw))
    # the round trip costs about 50 ms a sheet: many changed sheets are edited on every core
    for (index, *_), (text, error) in zip(edits, map_forked(_edit, edits, os.cpu_count() or 1, FORK_EDITS, 2)):
        if error is not None:
            problems.add(plans[index].rel, _internal(error))
        plans[index] = replace(plans[index], text=text)
    problems.raise_if_any()
    _write_all(plans, layout)
    return ImportResult([p.target for p in plans], unchanged, summaries)


def _privacy_check(layout: Layout) -> wbk.TextCheck:
    """The privacy scan that `validate` and `build` run on the sheets (`publish.privacy`), for the
    workbook's texts: personal data is named by its cell and never reaches a sheet."""
    from site_builder.publish.privacy import HINT, Scanner, site_contacts  # the same scan, the same words

    config = load_config(layout.content / "site.yaml", "content/site.yaml", Problems())  # its problems: validate's
    scanner = Scanner(*site_contacts(config))
    return lambda text: [f"含{found.kind} {found.masked}：{HINT}" for found in dict.fromkeys(scanner.find(text))]


FORK_EDITS = 8
"""Changed sheets from which their edits are spread over forked processes (`common.processes`)."""
CHANGED_MEANWHILE = "导入过程中该文件被改动或新建了（可能正在别的程序中编辑）；请保存并关闭后重新导入，未写出任何文件"


@dataclass(frozen=True)
class _Plan:
    target: Path
    rel: str  # as messages name it: scores/2023/P03.yaml
    text: str
    before: bytes | None = None  # the file as read and checked; None: a new sheet


def _internal(error: str) -> str:
    return f"内部错误：写出的评分表读回后与工作簿不一致（{error}），未写出任何文件；请把本提示和工作簿发给维护人员"


def _text_of(rel: str, problems: Problems, make: Callable[..., str], *args: Any) -> str:
    """The sheet's new text; a text that would not read back as meant is a problem, never written."""
    try:
        return make(*args)
    except sheetyaml.SheetTextError as exc:
        problems.add(rel, _internal(str(exc)))
        return ""


def _edit(job: tuple[int, bytes, dict, dict]) -> tuple[str, str | None]:
    """(text, None), or ('', why) when the text would not read back as meant (`sheetyaml._check`)."""
    try:
        return _edited(*job[1:]), None
    except sheetyaml.SheetTextError as exc:
        return "", str(exc)


def _edited(raw: bytes, old: dict, new: dict) -> str:
    """An existing sheet's text with the changed values replaced in place; its BOM and line ends kept."""
    text = raw.decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    crlf = "\r\n" in text
    body = text[len(bom) :].replace("\r\n", "\n") if crlf else text[len(bom) :]
    edited = sheetyaml.edited_text(body, old, new)
    return bom + (edited.replace("\n", "\r\n") if crlf else edited)


def _write_all(plans: list[_Plan], layout: Layout) -> None:
    """Every sheet written, or none: a sheet changed by someone else since it was read is refused
    before anything is written, and a write that fails puts back the sheets written before it."""
    problems = Problems()
    for plan in plans:
        try:
            now = plan.target.read_bytes() if plan.before is not None else None
        except OSError:
            now = None
        if plan.before is not None and now != plan.before or plan.before is None and os.path.lexists(plan.target):
            problems.add(plan.rel, CHANGED_MEANWHILE)
    problems.raise_if_any()
    done: list[_Plan] = []
    try:
        for plan in plans:  # score sheets: data by design, compared above (identical, or --force)
            replace_file(plan.target, plan.text, layout.protected(site=True), data_file=True)
            done.append(plan)
    except BaseException:
        for plan in reversed(done):
            try:
                if plan.before is None:
                    plan.target.unlink(missing_ok=True)
                else:
                    atomic_write(plan.target, plan.before)
            except OSError:
                pass  # the error being raised is what the clerk must see first
        raise
