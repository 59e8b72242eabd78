"""The scoring workbook's formulas, evaluated by a formula engine (pycel), give the totals the site
computes: every section subtotal, the base, the bonus and the total of every institution.

A formula that adds the wrong cells (say the total as =I155+I155, base twice and bonus dropped)
opens fine in Excel and passes every layout test; only evaluating it catches it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from support.project import in_process

from site_builder.build.flow import Layout, load

pycel = pytest.importorskip("pycel")


def _value(raw) -> Decimal:
    """An evaluated cell as a Decimal, rounded past any binary noise (scores have two decimals)."""
    return Decimal(repr(round(float(raw), 6))).normalize()


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    from support.project import copy_project

    project = copy_project(tmp_path_factory.mktemp("formulas") / "proj")
    out = project.root / "filled.xlsx"
    result = in_process(
        "workbook", "--root", str(project.root), "--out", str(out), "--scores", str(project.root / "scores")
    )
    assert result.code == 0, result.err
    site = load(Layout.from_args(root=str(project.root)))
    return pycel.ExcelCompiler(filename=str(out)), site.reports[0]


def _totals(excel, ws) -> tuple[dict[int, Decimal], dict[str, Decimal]]:
    """Section subtotals (by section number) and the three totals (by label) as the workbook computes them."""
    sections, totals = {}, {}
    for row in range(1, ws.max_row + 1):
        label, marker = ws[f"H{row}"].value, ws[f"A{row}"].value
        if label is None:
            continue
        address = f"'{ws.title}'!I{row}"
        if label == "小计":
            sections[int(re.fullmatch(r"第(\d+)部分", marker).group(1))] = _value(excel.evaluate(address))
        elif label == "总分" or label == "加分项" or str(label).startswith("基础分（"):
            totals[label.split("（")[0]] = _value(excel.evaluate(address))
    return sections, totals


def test_workbook_formulas_give_the_computed_subtotals_and_totals(evaluated):
    excel, report = evaluated
    workbook = excel.excel.workbook
    checked = 0
    for r in report.results:
        if not r.assessed:
            continue
        ws = next(ws for ws in workbook.worksheets if ws.title.startswith(f"{r.institution.id} "))
        sections, totals = _totals(excel, ws)
        expected_sections = {n: v.normalize() for n, v in r.sections.items()}
        assert sections == expected_sections, r.institution.id
        assert totals == {"基础分": r.base.normalize(), "加分项": r.bonus.normalize(), "总分": r.total.normalize()}, (
            r.institution.id
        )
        checked += 1
    assert checked == sum(r.assessed for r in report.results) == 24
