"""`workbook --out` writes an Excel workbook, so it refuses a name that does not end in .xlsx
(issue 25, The clerk: `workbook --out x.xls` wrote an xlsx under an .xls name)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.project import REPO
from support.project import in_process as _in_process


def test_xls_is_refused_with_the_name_to_use(tmp_path):
    out = tmp_path / "x.xls"
    result = _in_process("workbook", "--root", str(REPO), "--out", str(out))
    assert result.code == 1
    assert result.err == "错误：--out x.xls：评分工作簿是 Excel 工作簿（.xlsx），文件名须以 .xlsx 结尾；请改为 x.xlsx\n"
    assert not out.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(st.sampled_from("评分表ab1_-"), min_size=1, max_size=6),
    st.sampled_from([".xls", ".csv", ".xlsm", ".xlsx.bak", ".ods", ".txt", ".xlsx.", ".xslx"]),
)
def test_any_other_name_is_refused_and_nothing_written(tmp_path, stem, suffix):
    out = tmp_path / f"{stem}{suffix}"
    result = _in_process("workbook", "--root", str(REPO), "--out", str(out))
    assert result.code == 1 and "文件名须以 .xlsx 结尾" in result.err, result.err
    assert not out.exists()


def test_an_xlsx_name_in_any_case_is_written(tmp_path):
    out = tmp_path / "评分表.XLSX"
    assert _in_process("workbook", "--root", str(REPO), "--out", str(out)).code == 0
    assert out.read_bytes()[:2] == b"PK"
