"""Data that tools read right: `<year>/data/datapackage.json` (a Frictionless Data Package with a
Table Schema per CSV) validated with the `frictionless` package, ids without a trailing tab, one
boolean vocabulary (是/否) and one column list for results.csv and results.xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import frictionless
import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.project import REPO, in_process

from site_builder.common.formats import csv_text
from site_builder.publish import tables

YEAR = "2023"


def data_dir(site: Path) -> Path:
    return site / YEAR / "data"


def read_csv(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_package_validates_with_frictionless(repo_site):
    package_path = data_dir(repo_site) / "datapackage.json"
    report = frictionless.validate(str(package_path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [t.name for t in report.tasks] == ["results", "objections", "indicators"]
    # and as a data user runs it
    done = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "datapackage.json"],
        cwd=package_path.parent,
        capture_output=True,
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_every_csv_column_is_in_the_schema_in_order(repo_site):
    """A column added to a CSV but not to the schema (or the other way round) fails here; the schema
    types ids as strings, 是/否 columns as booleans, scores as numbers."""
    doc = json.loads((data_dir(repo_site) / "datapackage.json").read_text(encoding="utf-8"))
    csvs = sorted(p.name for p in data_dir(repo_site).glob("*.csv"))
    assert sorted(r["path"] for r in doc["resources"]) == csvs
    for resource in doc["resources"]:
        header = read_csv(data_dir(repo_site) / resource["path"])[0]
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header, resource["path"]
        assert all(f["title"] and f["description"] for f in fields)
        types = {f["name"]: f for f in fields}
        for name in ("机构编号", "指标编号", "统一社会信用代码", "否决项"):
            if name in types:
                assert types[name]["type"] == "string", (resource["path"], name)
        for f in fields:
            if f["type"] == "boolean":
                assert (f["trueValues"], f["falseValues"]) == (["是"], ["否"])
    results = {f["name"]: f["type"] for f in doc["resources"][0]["schema"]["fields"]}
    assert results["开展评价"] == results["取消评价资格"] == "boolean"
    assert results["总分"] == results["第1部分"] == "number" and results["名次"] == "integer"


def test_ids_have_no_tab_and_read_as_text(repo_site):
    for path in data_dir(repo_site).glob("*.csv"):
        assert b"\t" not in path.read_bytes(), path.name
    package = frictionless.Package(str(data_dir(repo_site) / "datapackage.json"))
    rows = package.get_resource("indicators").read_rows()
    assert rows[0]["指标编号"] == "1-01"
    assert any(r["指标编号"] == "3-06" for r in rows)
    results = package.get_resource("results").read_rows()
    assert {r["否决项"] for r in results if r["否决项"]} == {"6-06"}  # a veto item's id, as text
    assert {type(r["开展评价"]) for r in results} == {bool}
    assert isinstance(results[0]["总分"], Decimal)


def test_results_csv_and_xlsx_have_the_same_columns_and_cells(repo_site):
    rows = read_csv(data_dir(repo_site) / "results.csv")
    wb = openpyxl.load_workbook(data_dir(repo_site) / "results.xlsx", read_only=True)
    sheet = [list(r) for r in wb["考核结果"].iter_rows(values_only=True)]
    assert sheet[0] == rows[0]
    assert len(rows[0]) == len(set(rows[0]))
    for header in ("统一社会信用代码", "参加考核", "等级", "取消评价资格"):
        assert header in sheet[0]
    assert len(sheet) == len(rows)
    for csv_row, xlsx_row in zip(rows[1:], sheet[1:], strict=True):
        as_text = [
            "" if v is None else tables.csv_cell(Decimal(str(v)) if isinstance(v, float) else v) for v in xlsx_row
        ]
        assert [str(v) for v in as_text] == csv_row
        assert xlsx_row[0] == csv_row[0] and isinstance(xlsx_row[0], str)  # the id stored as text
    booleans = {v for row in rows[1:] for v in (row[5], row[6], row[rows[0].index("取消评价资格")])}
    assert booleans == {"是", "否"}


def test_the_package_is_in_sha256sums_and_the_same_on_every_build(repo_site, tmp_path):
    assert f"  {YEAR}/data/datapackage.json\n" in (repo_site / "SHA256SUMS").read_text(encoding="utf-8")
    out = tmp_path / "out"
    result = in_process("build", "--root", str(REPO), "--out", str(out), "--jobs", "1", "--no-cache")
    assert result.code == 0, result.err
    for name in ("datapackage.json", "results.csv", "indicators.csv", "objections.csv"):
        assert (data_dir(out) / name).read_bytes() == (data_dir(repo_site) / name).read_bytes(), name


# --- the chokepoint: every cell the writer writes reads back through its schema -------------------

VALUES = {
    "string": st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=12),
    "number": st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    "integer": st.integers(min_value=0, max_value=10**6),
    "boolean": st.booleans(),
    "date": st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_row_the_writer_writes_validates_and_reads_back(tmp_path, data):
    """One table of every column type with any values (or none): frictionless validates the CSV the
    writer makes against the schema made from the same columns, and reads each value back."""
    kinds = list(VALUES)
    columns = [tables.Column("编号", "integer", lambda row: row[0], "行号")]
    columns += [
        tables.Column(f"列{n}", kind, lambda row, n=n: row[n + 1], "测试", f"第{n}列") for n, kind in enumerate(kinds)
    ]
    values = data.draw(
        st.lists(st.tuples(*(st.one_of(st.none(), VALUES[k]) for k in kinds)), min_size=1, max_size=5), label="rows"
    )
    rows = [(i, *row) for i, row in enumerate(values, start=1)]
    path = tmp_path / "t.csv"
    path.write_bytes(tables.write_csv(columns, rows))
    schema = {"fields": [c.field() for c in columns], "missingValues": [""]}
    resource = frictionless.Resource(
        "t.csv", basepath=str(tmp_path), schema=frictionless.Schema.from_descriptor(schema), encoding="utf-8-sig"
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    read = frictionless.Resource(
        "t.csv", basepath=str(tmp_path), schema=frictionless.Schema.from_descriptor(schema), encoding="utf-8-sig"
    ).read_rows()
    for want, got in zip(values, read, strict=True):
        for n, kind in enumerate(kinds):
            value = got[f"列{n}"]
            if want[n] is None or want[n] == "":
                assert value is None
            elif kind == "string":
                assert value == csv_text(want[n])
            else:
                assert value == want[n]
