"""`office`: the 公告, the 通知书, the 工作报告 and the 新闻通稿 as the office issues them.

The documents are read back with python-docx and every number in them compared with what the site
publishes (results.json, results.xlsx, indicators.json, rubric.json of a build of the same data), not
with the code that wrote them. LibreOffice turns them into PDFs, read with pdfplumber: A4, the
GB/T 9704 margins, 22 lines a page, 示例数据 on every page of sample data.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from support.project import Project, copy_project

MM = 72 / 25.4


def num(value) -> str:
    """A published number as the documents write it: 105.5, 88, 0.25 (no trailing zeros)."""
    d = Decimal(str(value)).normalize()
    return format(d, "f")


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict:
    project = copy_project(tmp_path_factory.mktemp("office") / "proj")
    built = project.cli("build", "--no-cache")
    assert built.code == 0, built.err
    office = project.cli("office")
    assert office.code == 0, office.err
    folder = project.root / "office" / "2023"
    data = project.root / "output" / "2023" / "data"
    return {
        "project": project,
        "out": office.out,
        "folder": folder,
        "results": json.loads((data / "results.json").read_text(encoding="utf-8")),
        "indicators": json.loads((data / "indicators.json").read_text(encoding="utf-8")),
        "rubric": json.loads((data / "rubric.json").read_text(encoding="utf-8")),
        "items": pd.read_excel(data / "results.xlsx", sheet_name="指标得分", dtype=str),
    }


def text_of(path: Path) -> str:
    doc = Document(str(path))
    return "\n".join(p.text for p in doc.paragraphs)


def tables_of(path: Path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(str(path)).tables]


def test_the_folder_holds_every_document_and_its_checksums(made: dict) -> None:
    folder = made["folder"]
    assessed = [r for r in made["results"]["institutions"] if r["assessed"]]
    notices = sorted(p.name for p in (folder / "通知书").iterdir())
    assert notices == sorted(f"{r['id']} {r['name']}.docx" for r in assessed)
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"公告.docx", "工作报告.docx", "新闻通稿.docx", "新闻通稿.txt", "SHA256SUMS"} <= names
    listed = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        sha, name = line.split("  ", 1)
        listed[name] = sha
    for name in names - {"SHA256SUMS", ".site-builder-output"}:  # the tool's manifest, not a document (issue 24)
        assert listed[name] == hashlib.sha256((folder / name).read_bytes()).hexdigest(), name
    documents = names - {"SHA256SUMS", ".site-builder-output"}
    assert made["out"].startswith(f"已生成 2023 年的公文 {len(documents)} 个文件（含通知书 {len(assessed)} 份）：")


def test_nothing_is_written_into_the_published_site(made: dict) -> None:
    site = made["project"].root / "output"
    assert not list(site.rglob("*.docx"))


def test_each_notice_gives_the_published_result_and_every_lost_point(made: dict) -> None:
    rubric = {i["id"]: i for i in made["rubric"]["indicators"]}
    items = made["items"]
    for r in made["results"]["institutions"]:
        if not r["assessed"]:
            continue
        path = made["folder"] / "通知书" / f"{r['id']} {r['name']}.docx"
        text = text_of(path)
        assert text.splitlines()[2] == f"{r['name']}：", r["id"]  # 主送: title, blank line, addressee
        assert f"总分{num(r['total'])}分" in text
        assert f"基础分{num(r['base'])}分" in text and f"加分{num(r['bonus'])}分" in text
        if r["vetoed"]:
            assert "考核结果为取消评价资格" in text and "不参与排名" in text
            for v in r["veto_items"]:
                assert f"{v} {rubric[v]['text']}" in text
        else:
            assert f"考核等级为{r['grade']}级" in text
            assert f"列第{r['rank']}名" in text
        mine = items[items["机构编号"] == r["id"]]
        scored = mine[mine["得分"].map(lambda s: isinstance(s, str) and re.fullmatch(r"[\d.]+", s) is not None)]
        lost = scored[scored["得分"].map(Decimal) < scored["满分"].map(Decimal)]
        expected = [
            [
                row["指标"],
                rubric[row["指标"]]["text"] or "（原表缺失）",
                rubric[row["指标"]]["rule"] or "（原表缺失）",
                row["扣分原因"] if isinstance(row["扣分原因"], str) else "（未写原因）",
                f"{num(row['得分'])}/{num(row['满分'])}",
            ]
            for _, row in lost.iterrows()
        ]
        tables = tables_of(path)
        rows = tables[0][1:] if tables else []
        assert rows == expected, r["id"]
        needs_rectify = r["vetoed"] or r["grade"] in ("C", "D")
        assert ("整改要求" in text) == needs_rectify, r["id"]


def test_the_applicable_bonus_maximum_is_the_institutions_own(made: dict) -> None:
    """P05 may earn only the bonus items that apply to it: its notice says so, beside the form's 20."""
    rubric = made["rubric"]["indicators"]
    sheet = made["project"].sheet("P05")
    applies = {"all": True, "senior_levels": sheet["senior_levels"], "online_exam": sheet["online_exam"]}
    own = sum(Decimal(str(i["max"])) for i in rubric if i["section"] == 7 and applies[i["applies"]])
    text = text_of(made["folder"] / "通知书" / "P05 山西爱国拥军促进会.docx")
    assert f"你单位适用的加分项满分{num(own)}分" in text
    assert own < Decimal(str(made["rubric"]["bonus_max"]))


def test_the_announcement_attachment_lists_every_assessed_institution(made: dict) -> None:
    path = made["folder"] / "公告.docx"
    text = text_of(path)
    inst = made["results"]["institutions"]
    assessed = [r for r in inst if r["assessed"]]
    counts = {}
    for r in assessed:
        key = "取消评价资格" if r["vetoed"] else f"{r['grade']}级"
        counts[key] = counts.get(key, 0) + 1
    assert f"参加考核的{len(assessed)}个" in text
    for key, n in counts.items():
        assert f"{key}{n}个" in text
    [table] = tables_of(path)
    header, rows = table[0], table[1:]
    assert header[:3] == ["考核结果", "名次", "机构名称"]
    by_name = {row[2]: row for row in rows}
    assert len(rows) == len(assessed)
    for r in assessed:
        row = by_name[r["name"]]
        assert row[3:] == [num(r["base"]), num(r["bonus"]), num(r["total"])]
        assert row[1] == (str(r["rank"]) if r["rank"] else "—")
    doc = Document(str(path))
    first_row = doc.tables[0].rows[0]._tr
    assert first_row.find(".//{*}tblHeader") is not None  # repeated on every page of the table
    assert "2024年1月15日" in text  # 成文日期 in Arabic numerals


def test_the_report_draws_on_the_sites_statistics(made: dict) -> None:
    path = made["folder"] / "工作报告.docx"
    text = text_of(path)
    stats = made["indicators"]["indicators"]
    most = sorted((s for s in stats if s["deducted"]), key=lambda s: (-s["deducted"], -s["deducted_share"]))[:10]
    [table] = tables_of(path)
    assert [row[0] for row in table[1:]] == [s["id"] for s in most]
    assert [row[2] for row in table[1:]] == [f"{s['deducted']}/{s['assessed']}" for s in most]
    assert "【待填写】" in text and "下一步工作" in text
    ranked = [r for r in made["results"]["institutions"] if r["assessed"] and not r["vetoed"]]
    top = max(ranked, key=lambda r: r["total"])
    assert f"（{num(top['total'])}分）" in text and top["name"] in text


def test_the_press_release_leads_with_the_counts_and_the_address(made: dict) -> None:
    txt = (made["folder"] / "新闻通稿.txt").read_bytes().decode("utf-8-sig")
    assessed = [r for r in made["results"]["institutions"] if r["assessed"]]
    assert txt.startswith("忻州市公布2023年度职业技能等级评价机构年度绩效考核结果\r\n")
    assert f"的{len(assessed)}个评价机构进行" in txt
    assert "https://example.org/xinzhou-pjjg/2023/index.html" in txt
    docx = text_of(made["folder"] / "新闻通稿.docx")
    for line in txt.splitlines()[2:]:
        if line:
            assert line in docx


def test_the_same_data_gives_the_same_bytes(made: dict, tmp_path: Path) -> None:
    again = made["project"].cli("office", "--out", str(tmp_path / "again"))
    assert again.code == 0, again.err
    assert (tmp_path / "again" / "SHA256SUMS").read_bytes() == (made["folder"] / "SHA256SUMS").read_bytes()


def test_the_text_scanned_is_every_paragraph_of_every_part(made: dict) -> None:
    """`docx_text` skips a part without a paragraph (the styles: most of a document's bytes): what it
    gives is what parsing every part gives, on every document made."""
    import zipfile
    from xml.etree import ElementTree

    from site_builder.commands.office import W, docx_text

    def every_part(data: bytes) -> str:
        parts = []
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in sorted(z.namelist()):
                if (name.startswith(("word/", "docProps/"))) and name.endswith(".xml"):
                    root = ElementTree.fromstring(z.read(name))
                    parts += ["".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in root.iter(f"{{{W}}}p")]
                    if name.startswith("docProps/"):
                        parts += [el.text for el in root.iter() if el.text and el.text.strip()]
        return "\n".join(parts)

    documents = sorted(made["folder"].rglob("*.docx"))
    assert len(documents) > 20
    # each kind of document once (the notices are one kind): parsing every part of all of them takes seconds
    kinds = [p for p in documents if p.parent == made["folder"]] + [p for p in documents if p.parent != made["folder"]][
        :2
    ]
    assert len(kinds) >= 5
    for path in kinds:
        data = path.read_bytes()
        assert docx_text(data) == every_part(data), path.name


def test_personal_information_in_any_text_stops_the_documents(project: Project) -> None:
    """A mobile number in the office's name (site.yaml) reaches every notice: refused, nothing written.
    The documents' own text is scanned, whatever input it came from."""
    project.edit("content/site.yaml", "office: 忻州市", "office: 联系人13812345678 忻州市")
    result = project.cli("office")
    assert result.code == 1
    assert "138****5678" in result.err
    assert "13812345678" not in result.err
    assert not (project.root / "office").exists()


def test_a_folder_inside_the_published_site_is_refused(project: Project) -> None:
    result = project.cli("office", "--out", str(project.root / "output" / "office"))
    assert result.code == 1
    assert "拒绝输出到" in result.err and "网站输出目录" in result.err


def test_an_unknown_year_is_named(project: Project) -> None:
    result = project.cli("office", "--year", "2022")
    assert (result.code, result.err) == (1, "错误：没有 2022 年的数据；已有：2023\n")


# --- as LibreOffice lays them out ------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(made: dict, tmp_path_factory) -> dict[str, Path]:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    out = tmp_path_factory.mktemp("pdf")
    folder = made["folder"]
    names = ["公告.docx", "工作报告.docx", "新闻通稿.docx", "通知书/P06 红马甲集团股份有限公司.docx"]
    proc = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{out}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *(str(folder / n) for n in names),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    return {n: out / (Path(n).stem + ".pdf") for n in names}


def test_every_page_is_a4_with_the_gbt9704_text_block_and_marked_as_sample(pdfs: dict[str, Path]) -> None:
    import pdfplumber

    for name, pdf_path in pdfs.items():
        with pdfplumber.open(pdf_path) as pdf:
            for n, page in enumerate(pdf.pages, start=1):
                assert (round(page.width / MM), round(page.height / MM)) == (210, 297), (name, n)
                lines = page.extract_text_lines()
                assert "示例数据" in lines[0]["text"], (name, n)  # the mark heads every page
                assert re.fullmatch(rf"— ?{n} ?—", lines[-1]["text"].strip()), (name, n, lines[-1]["text"])
                body = lines[1:-1]
                borders = [*page.rects, *page.lines]  # a table's left edge is its border, not its text
                left = min([line["x0"] for line in body] + [b["x0"] for b in borders]) / MM
                right = max([line["x1"] for line in body] + [b["x1"] for b in borders]) / MM
                top = min(line["top"] for line in body) / MM
                bottom = max(line["bottom"] for line in body) / MM
                assert 27.5 <= left <= 29, (name, n, left)  # 订口 28 mm
                assert right <= 28 + 156 + 0.5, (name, n, right)  # 版心 156 mm wide
                assert top >= 37 - 0.5 and bottom <= 37 + 225 + 0.5, (name, n, top, bottom)  # 天头 37, 225 high


def test_the_announcement_has_22_lines_of_28_characters(pdfs: dict[str, Path]) -> None:
    import pdfplumber

    with pdfplumber.open(pdfs["公告.docx"]) as pdf:
        page = pdf.pages[1]  # a page of body text only
        body = page.extract_text_lines()[1:-1]
        assert len(body) == 22
        pitches = {round((b["top"] - a["top"]) / MM, 1) for a, b in zip(body, body[1:])}
        assert pitches <= {10.2, 10.3}  # 225 mm / 22
        full = [line["text"] for line in body if re.fullmatch(r"[\u4e00-\u9fff，。、；：“”（）《》]+", line["text"])]
        assert full and max(len(t) for t in full) == 28


def test_page_numbers_sit_outside_on_odd_and_even_pages(pdfs: dict[str, Path]) -> None:
    import pdfplumber

    with pdfplumber.open(pdfs["公告.docx"]) as pdf:
        odd, even = (pdf.pages[i].extract_text_lines()[-1] for i in (0, 1))
        assert odd["x1"] / MM > 170 and even["x0"] / MM < 45  # right on odd pages, left on even ones


def read_docx_bytes(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_a_rectification_deadline_reaches_the_notices_that_must_rectify(project: Project, tmp_path: Path) -> None:
    project.edit(
        "scores/2023/status.yaml",
        "objection_deadline: 2024-01-20",
        "objection_deadline: 2024-01-20\nrectify_by: 2024-03-31",
    )
    result = project.cli("office", "--out", str(tmp_path / "o"))
    assert result.code == 0, result.err
    results = {r.institution.id: r for r in _results(project)}
    for path in (tmp_path / "o" / "通知书").iterdir():
        r = results[path.name.split(" ")[0]]
        text = text_of(path)
        must = r.vetoed or r.grade in ("C", "D")
        assert ("于2024年3月31日前将整改情况书面报送" in text) == must, path.name


def test_a_rectification_deadline_before_the_publication_is_refused(project: Project) -> None:
    project.edit(
        "scores/2023/status.yaml",
        "objection_deadline: 2024-01-20",
        "objection_deadline: 2024-01-20\nrectify_by: 2024-01-10",
    )
    result = project.cli("office")
    assert result.code == 1
    assert result.err == (
        "错误：数据有 1 处问题，未写出任何文件：\n"
        "  scores/2023/status.yaml: rectify_by（整改期限）2024-01-10 须晚于 published_on（公示日期）2024-01-15\n"
    )


def _results(project: Project):
    from site_builder.build.flow import Layout, load

    site = load(Layout.from_args(str(project.root)))
    return site.reports[0].results
