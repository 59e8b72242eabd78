"""The .xlsx files look the same cell for cell as before they were written with XlsxWriter.

The experts' scoring workbook and results.xlsx were written with openpyxl until issue 23, then with
XlsxWriter. The bytes differ (another library, shared strings instead of inline ones, other default
parts), but what a reader sees must not: every cell's value, formula and stored result, its number
format, font, fill, border, alignment and protection; merged ranges, column widths and row heights,
the drop-down lists, sheet protection, frozen panes, print settings, defined names, sheet order and
visibility. `cell_differences` lists every difference between two files, read with openpyxl (once with
formulas, once with the stored results). `tests/expected/xlsx/` holds files written by the openpyxl
writer at commit a31b62a, made there with

    python -m site_builder workbook --out filled.xlsx --scores scores --institution P03 P06 M01
    python -m site_builder workbook --out blank.xlsx --institution P01 M13

and results-mini.xlsx, that commit's tests/expected/mini/2023/data/results.xlsx. They were
regenerated once since, by the XlsxWriter writer, when the rubric's grade bands were reworded
(issue 25: 70分及以上不足90分): compared with the openpyxl files first, the only difference in each
was that one sentence of 填写说明 (blank, filled) and none at all in results-mini.

The few normalisations are the differences that show nothing (each is named where it is made):
  * a font with no name, size or colour is drawn in the workbook's default font (the Normal style's
    first font; Calibri 11 in text colour in both writers), so those are compared as filled in;
  * the alpha byte of an ARGB colour (openpyxl writes 00, Excel and XlsxWriter FF) is ignored by Excel
    and LibreOffice for fills and borders: colours are compared as RGB;
  * a check without an operator compares `between`, the default of the file format (XlsxWriter leaves
    the default out, openpyxl wrote it);
  * which sheet tab is *selected* (XlsxWriter marks the first sheet's tab; openpyxl leaves it to the
    application, which selects the active sheet, the first, on opening) is the same on screen.

Run as a script to compare any two files, e.g. with the baseline made before issue 23:

    python tests/test_workbook_cells.py /work/base/wb.xlsx new.xlsx

After an intended change to what the workbooks show, regenerate the stored files and review:

    REGENERATE_EXPECTED=1 python -m pytest tests/test_workbook_cells.py
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries

EXPECTED = Path(__file__).resolve().parent / "expected" / "xlsx"
REGENERATE = os.environ.get("REGENERATE_EXPECTED") == "1"

PROTECTION_FLAGS = (
    "sheet",
    "objects",
    "scenarios",
    "formatCells",
    "formatColumns",
    "formatRows",
    "insertColumns",
    "insertRows",
    "insertHyperlinks",
    "deleteColumns",
    "deleteRows",
    "selectLockedCells",
    "selectUnlockedCells",
    "sort",
    "autoFilter",
    "pivotTables",
    "password",
)
VALIDATION_FIELDS = (
    "type",
    "operator",
    "formula1",
    "formula2",
    "allow_blank",
    "showDropDown",  # True hides the arrow (the name says the opposite)
    "showErrorMessage",
    "showInputMessage",
    "errorStyle",
    "errorTitle",
    "error",
    "promptTitle",
    "prompt",
)


def _rgb(color) -> Any:
    """A colour as a reader sees it: RGB without the alpha byte, or a theme/indexed colour."""
    if color is None:
        return None
    if color.type == "rgb" and isinstance(color.rgb, str):
        return ("rgb", color.rgb[-6:].upper())  # normalised: the alpha byte is not drawn
    if color.type == "theme":
        return ("theme", color.theme, round(color.tint or 0, 6))
    if color.type == "indexed":
        return ("indexed", color.indexed)
    return (color.type, color.value)


def _font(font, default) -> tuple:
    # normalised: a missing name, size or colour is the workbook's default font's
    return (
        font.name or default.name,
        float(font.sz or default.sz),
        bool(font.b),
        bool(font.i),
        font.u or None,
        bool(font.strike),
        font.vertAlign,
        _rgb(font.color) or _rgb(default.color),
    )


def _fill(fill) -> Any:
    if fill is None or getattr(fill, "patternType", None) in (None, "none"):
        return None
    if fill.tagname != "patternFill":
        return (fill.tagname, repr(fill))
    return (fill.patternType, _rgb(fill.fgColor), _rgb(fill.bgColor) if fill.patternType != "solid" else None)


def _border(border) -> Any:
    sides = []
    for name in ("left", "right", "top", "bottom", "diagonal"):
        side = getattr(border, name)
        style = side.style if side is not None else None
        sides.append((name, style, _rgb(side.color) if style else None))
    if border.diagonal is not None and border.diagonal.style:
        sides.append(("diagonal_up_down", bool(border.diagonalUp), bool(border.diagonalDown)))
    return tuple(sides) if any(s[1] for s in sides[:5]) else None


def _alignment(al) -> Any:
    values = (
        al.horizontal,
        al.vertical,
        bool(al.wrap_text),
        bool(al.shrink_to_fit),
        int(al.indent or 0),
        int(al.text_rotation or 0),
        al.readingOrder or 0,
    )
    return None if values == (None, None, False, False, 0, 0, 0) else values


def _cells_of(ranges) -> list[str]:
    out = []
    for rng in str(ranges).split():
        min_col, min_row, max_col, max_row = range_boundaries(rng)
        for row in range(min_row, max_row + 1):
            for col in range(min_col, max_col + 1):
                out.append(f"{get_column_letter(col)}{row}")
    return out


def describe(data: bytes) -> dict[tuple, Any]:
    """Everything a reader of the workbook sees, as {(sheet, what, where): value}; defaults left out."""
    wb = load_workbook(io.BytesIO(data))
    cached = load_workbook(io.BytesIO(data), data_only=True)
    default_font = wb._fonts[0]
    out: dict[tuple, Any] = {
        ("book", "sheets"): [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        ("book", "active sheet"): wb.active.title if wb.active is not None else None,
        ("book", "defined names"): sorted((name, dn.attr_text) for name, dn in wb.defined_names.items()),
        ("book", "sheet-scoped names"): sorted(
            (ws.title, name, dn.attr_text) for ws in wb.worksheets for name, dn in ws.defined_names.items()
        ),
        ("book", "recalculate on opening"): bool(wb.calculation.fullCalcOnLoad),
        ("book", "structure locked"): bool(wb.security and wb.security.lockStructure),
        ("book", "created"): wb.properties.created,
        ("book", "modified"): wb.properties.modified,
        ("book", "author"): (wb.properties.creator, wb.properties.lastModifiedBy),
        ("book", "title"): (wb.properties.title, wb.properties.subject, wb.properties.keywords),
    }
    for ws in wb.worksheets:
        t = ws.title
        values = cached[t]
        view = ws.sheet_view
        out[(t, "frozen at")] = ws.freeze_panes
        out[(t, "active cell")] = [(s.pane, s.activeCell or "A1", s.sqref or "A1") for s in view.selection][-1:]
        out[(t, "view")] = (
            view.showGridLines is not False,
            view.showRowColHeaders is not False,
            view.zoomScale or 100,
            bool(view.rightToLeft),
            view.view or "normal",
        )
        # normalised: `tabSelected` left out (see the module's docstring)
        out[(t, "merged")] = sorted(str(r) for r in ws.merged_cells.ranges)
        out[(t, "autofilter")] = ws.auto_filter.ref
        out[(t, "conditional formats")] = sorted(repr(r.rules) + str(r.sqref) for r in ws.conditional_formatting)
        fmt = ws.sheet_format
        out[(t, "default sizes")] = (
            float(fmt.defaultRowHeight or 15),
            float(fmt.baseColWidth or 8),
            fmt.defaultColWidth,
            bool(fmt.customHeight),
            bool(fmt.zeroHeight),
        )
        protection = ws.protection
        out[(t, "protection")] = {flag: getattr(protection, flag) for flag in PROTECTION_FLAGS}
        setup = ws.page_setup
        out[(t, "page setup")] = (
            setup.orientation or "portrait",  # portrait is the default
            setup.paperSize,
            setup.scale,
            setup.fitToWidth,
            setup.fitToHeight,
            bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
        )
        margins = ws.page_margins
        out[(t, "page margins")] = (
            margins.left,
            margins.right,
            margins.top,
            margins.bottom,
            margins.header,
            margins.footer,
        )
        opts = ws.print_options
        out[(t, "print options")] = (
            bool(opts.gridLines),
            bool(opts.headings),
            bool(opts.horizontalCentered),
            bool(opts.verticalCentered),
        )
        out[(t, "print titles")] = (ws.print_title_rows, ws.print_title_cols, str(ws.print_area or ""))
        hf = ws.HeaderFooter
        out[(t, "header and footer")] = tuple(
            str(part) for part in (hf.oddHeader, hf.oddFooter, hf.evenHeader, hf.evenFooter)
        )
        out[(t, "tab colour")] = _rgb(ws.sheet_properties.tabColor)
        for key, dim in ws.column_dimensions.items():
            lo, hi = (dim.min or 0, dim.max or 0) if dim.min else (None, None)
            letters = [get_column_letter(c) for c in range(lo, hi + 1)] if lo else [key]
            for letter in letters:
                if dim.customWidth or dim.width not in (None, 0, 13):
                    out[(t, "column width", letter)] = round(float(dim.width), 6)
                if dim.hidden:
                    out[(t, "column hidden", letter)] = True
        for row, dim in ws.row_dimensions.items():
            if dim.ht is not None:
                out[(t, "row height", row)] = float(dim.ht)
            if dim.hidden:
                out[(t, "row hidden", row)] = True
        for dv in ws.data_validations.dataValidation:
            rule = tuple((name, getattr(dv, name)) for name in VALIDATION_FIELDS)
            if dv.type not in (None, "list", "custom") and dv.operator is None:
                rule = tuple((n, "between" if n == "operator" else v) for n, v in rule)  # normalised: the default
            for cell in _cells_of(dv.sqref):
                key = (t, "drop-down or check", cell)
                if key in out:
                    out[key] = ("two rules on one cell", out[key], rule)
                else:
                    out[key] = rule
        for (row, col), cell in sorted(ws._cells.items()):
            where = f"{get_column_letter(col)}{row}"
            if cell.value is not None:
                out[(t, "value", where)] = (cell.data_type, cell.value)
                if cell.data_type == "f":
                    out[(t, "stored result", where)] = values[where].value
            if cell.number_format != "General":
                out[(t, "number format", where)] = cell.number_format
            font = _font(cell.font, default_font)
            if font != _font(default_font, default_font):
                out[(t, "font", where)] = font
            for what, value in (
                ("fill", _fill(cell.fill)),
                ("border", _border(cell.border)),
                ("alignment", _alignment(cell.alignment)),
                ("hyperlink", cell.hyperlink.target if cell.hyperlink else None),
                ("comment", cell.comment.text if cell.comment else None),
            ):
                if value is not None:
                    out[(t, what, where)] = value
            if cell.protection.locked is False or cell.protection.hidden:
                out[(t, "cell protection", where)] = (bool(cell.protection.locked), bool(cell.protection.hidden))
            if cell.quotePrefix:
                out[(t, "quote prefix", where)] = True
    return out


def cell_differences(old: bytes, new: bytes) -> list[str]:
    """Every difference a reader could see between two .xlsx files, one line each."""
    a, b = describe(old), describe(new)
    lines = []
    for key in sorted(set(a) | set(b), key=repr):
        if a.get(key) != b.get(key):
            lines.append(f"{' / '.join(map(str, key))}: {a.get(key)!r} -> {b.get(key)!r}")
    return lines


# --- tests ------------------------------------------------------------------------------------------------------------


def _check(name: str, made: bytes) -> None:
    expected = EXPECTED / name
    if REGENERATE:
        expected.write_bytes(made)
    differences = cell_differences(expected.read_bytes(), made)
    assert not differences, "\n".join(differences[:40])


def test_the_filled_workbook_looks_as_before(tmp_path):
    from support.project import in_process as _in_process

    out = tmp_path / "filled.xlsx"
    result = _in_process("workbook", "--out", str(out), "--scores", "scores", "--institution", "P03", "P06", "M01")
    assert result.code == 0, result.err
    _check("filled.xlsx", out.read_bytes())


def test_the_blank_workbook_looks_as_before(tmp_path):
    from support.project import in_process as _in_process

    out = tmp_path / "blank.xlsx"
    result = _in_process("workbook", "--out", str(out), "--institution", "P01", "M13")
    assert result.code == 0, result.err
    _check("blank.xlsx", out.read_bytes())


def test_results_xlsx_looks_as_before(tmp_path):
    from support.mini import make_mini
    from support.project import in_process as _in_process

    root = make_mini(tmp_path / "mini")
    result = _in_process("build", "--root", str(root))
    assert result.code == 0, result.err
    _check("results-mini.xlsx", (root / "output" / "2023" / "data" / "results.xlsx").read_bytes())


def test_a_changed_cell_style_or_rule_is_a_difference():
    """The comparison itself sees what it claims to: a value, a stored result, a style, a width and a drop-down."""
    from openpyxl.styles import Font

    original = (EXPECTED / "filled.xlsx").read_bytes()
    wb = load_workbook(io.BytesIO(original))
    ws = wb.worksheets[1]
    ws["B2"] = "别的机构"
    ws["A1"].font = Font(bold=False, size=13)
    ws.column_dimensions["E"].width = 61
    ws.data_validations.dataValidation[1].formula1 = '"0,1,2"'
    ws.protection.formatRows = True
    ws.freeze_panes = "A8"
    changed = io.BytesIO()
    wb.save(changed)
    found = "\n".join(cell_differences(original, changed.getvalue()))
    title = ws.title
    for expected in (
        f"{title} / value / B2",
        f"{title} / font / A1",
        f"{title} / column width / E",
        f"{title} / drop-down or check / I8",
        f"{title} / protection",
        f"{title} / frozen at",
        f"{title} / stored result / I7",  # openpyxl drops every stored result on saving
    ):
        assert expected in found, expected


def _zip_dates(data: bytes) -> set[tuple[int, ...]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.date_time for info in z.infolist()}


def test_same_input_same_bytes(tmp_path):
    """The workbook and results.xlsx twice, a second apart: the same bytes, no clock in the file."""
    import time

    from support.mini import make_mini
    from support.project import in_process as _in_process

    made = []
    for n in (1, 2):
        out = tmp_path / f"w{n}.xlsx"
        assert _in_process("workbook", "--out", str(out), "--scores", "scores", "--institution", "P06").code == 0
        made.append(out.read_bytes())
        if n == 1:
            time.sleep(1.1)  # the clock's second moves on between the two
    assert made[0] == made[1]
    assert _zip_dates(made[0]) == {(1980, 1, 1, 0, 0, 0)}
    core = zipfile.ZipFile(io.BytesIO(made[0])).read("docProps/core.xml")
    assert b"2024-01-15T00:00:00Z" in core  # the year's publication date (scores/2023/status.yaml)

    root = make_mini(tmp_path / "mini")
    results = []
    for n in (1, 2):
        assert _in_process("build", "--root", str(root), "--out", str(tmp_path / f"out{n}"), "--no-cache").code == 0
        results.append((tmp_path / f"out{n}" / "2023" / "data" / "results.xlsx").read_bytes())
        if n == 1:
            time.sleep(1.1)
    assert results[0] == results[1]
    assert _zip_dates(results[0]) == {(1980, 1, 1, 0, 0, 0)}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python tests/test_workbook_cells.py OLD.xlsx NEW.xlsx", file=sys.stderr)
        return 2
    old, new = (Path(p).read_bytes() for p in argv)
    differences = cell_differences(old, new)
    for line in differences:
        print(line)
    print(f"{len(differences)} difference(s)")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
