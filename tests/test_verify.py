"""`verify SITE`: a published copy whose data files were rewritten, their checksums made consistent
again, is explained per institution; each message is checked whole (==).

The ledger's own verify tests are in tests/test_ledger.py; these are the data files' explanations.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from support.mini import approved_mini
from support.project import in_process


@pytest.fixture(scope="module")
def published_once(tmp_path_factory) -> Path:
    """The approved mini project published once (its output holds the site and its ledger)."""
    root = approved_mini(tmp_path_factory.mktemp("published"))
    result = in_process("build", "--root", str(root), "--jobs", "1", "--publish")
    assert result.code == 0, result.err
    return root


@pytest.fixture
def published(published_once, tmp_path) -> Path:
    root = tmp_path / "m"
    shutil.copytree(published_once, root)
    return root


def rewrite(site: Path, rel: str, data: bytes) -> None:
    """Replace a file of the site and its line in SHA256SUMS, as someone covering their tracks would."""
    (site / rel).write_bytes(data)
    sums = site / "SHA256SUMS"
    line = re.compile(rf"^[0-9a-f]{{64}}(  {re.escape(rel)})$", flags=re.M)
    text = sums.read_text(encoding="utf-8")
    assert line.search(text), rel
    sums.write_text(line.sub(hashlib.sha256(data).hexdigest() + r"\1", text), encoding="utf-8")


def verify(root: Path):
    return in_process("verify", str(root / "output"), "--root", str(root))


def failed(root: Path, *lines: str) -> str:
    """verify's whole message when it finds these differences."""
    shown = "\n".join(f"  {line}" for line in lines)
    return f"错误：核验未通过：{root / 'output'} 与发布记录或仓库数据有 {len(lines)} 处不一致：\n{shown}\n"


RECORDED = "文件的 SHA-256 与发布记录第 1 次发布所记不符"
SUMS = "SHA256SUMS: 内容与按仓库数据生成的不同"


def test_a_fresh_publication_passes(published):
    result = verify(published)
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith(f"核验通过：{published / 'output'} 的 ")


def test_a_score_changed_in_results_csv_is_named_by_institution(published):
    rel = "2023/data/results.csv"
    old = (published / "output" / rel).read_bytes()
    row = re.compile("^(P01,[^\r\n]*?,是,是,)108\\.75,".encode(), flags=re.M)
    assert row.search(old)
    rewrite(published / "output", rel, row.sub(rb"\g<1>98.75,", old))
    result = verify(published)
    assert result.code == 1
    assert result.out == ""
    assert result.err == failed(
        published,
        f"{rel}: {RECORDED}",
        f"{rel}: 机构 P01: 总分 在网站中为 98.75，按仓库数据应为 108.75",
        SUMS,
    )


def test_rows_added_and_removed_in_results_csv(published):
    rel = "2023/data/results.csv"
    lines = (published / "output" / rel).read_bytes().split(b"\r\n")
    assert lines[1].startswith(b"P01,") and lines[-1] == b""
    forged = [lines[0], lines[1].replace(b"P01,", b"P09,", 1), *lines[2:]]
    rewrite(published / "output", rel, b"\r\n".join(forged))
    result = verify(published)
    assert result.code == 1
    assert result.err == failed(
        published,
        f"{rel}: {RECORDED}",
        f"{rel}: 机构 P01: 网站中缺少这个机构",
        f"{rel}: 机构 P09: 网站中多出这个机构",
        SUMS,
    )


def test_a_score_changed_in_results_json_is_named_by_institution(published):
    rel = "2023/data/results.json"
    doc = json.loads((published / "output" / rel).read_text(encoding="utf-8"))
    m01 = next(r for r in doc["institutions"] if r["id"] == "M01")
    m01["total"], m01["rank"] = 99.5, 2
    doc["published_on"] = "2024-01-16"
    rewrite(published / "output", rel, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    result = verify(published)
    assert result.err == failed(
        published,
        f"{rel}: {RECORDED}",
        f"{rel}: published_on 在网站中为 2024-01-16，按仓库数据应为 2024-01-15",
        f"{rel}: 机构 M01: rank 在网站中为 2，按仓库数据应为 1",
        f"{rel}: 机构 M01: total 在网站中为 99.5，按仓库数据应为 120",
        SUMS,
    )


@pytest.mark.parametrize(
    "rel, data",
    [
        ("2023/data/results.csv", b"\xff\xfe not UTF-8"),
        ("2023/data/results.csv", b'"an unclosed quote\r\n'),
        ("2023/data/results.csv", b""),
        ("2023/data/results.csv", "\ufeff机构编号,总分\r\nP01,108.75\r\n".encode()),  # other columns
        ("2023/data/results.json", b"{not json"),
        ("2023/data/results.json", b"[]"),
        ("2023/data/results.json", b'{"institutions": [{"name": "no id"}]}'),
        ("2023/data/results.json", b'{"institutions": {"P01": {}}}'),
        ("2023/data/results.xlsx", b"PK\x03\x04 not a workbook"),
        ("2023/data/results.xlsx", b"not even a zip"),
    ],
)
def test_a_data_file_that_cannot_be_read_differs_as_a_whole(published, rel, data):
    """What cannot be read record by record is reported as one difference, never as a crash."""
    rewrite(published / "output", rel, data)
    result = verify(published)
    assert result.err == failed(published, f"{rel}: {RECORDED}", f"{rel}: 内容与按仓库数据生成的不同", SUMS)
