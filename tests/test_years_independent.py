"""Years are independent for publishing (issue 24, point 8): a correction to a published year is
published while the next year is a draft (`build --publish --year 2023`, or `--publish` alone:
every approved year), the draft year is built as a draft, never checked for publication, never
recorded; naming a draft year is refused; a published year left out that has something new to
publish stops it, and so does an approved year never published. The property, checked over every
case of two years (not sampled: the space is small): publishing the years Y changes no other
year's record."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import feedparser
import pytest
from support.ledger import FIRST, add_2024, set_item, write_corrections
from support.mini import approved_mini
from support.project import in_process

DRAFT_2024 = (
    "status: draft\napproved_by: null\napproved_on: null\npublished_on: 2025-01-15\nobjection_deadline: 2025-01-20\n"
)

SUMMARY = (
    "2023 年：评估表 140 项指标，名单 5 个机构，评分表 4 份；状态 approved（已审定）\n"
    "  开展评价 4 个，未开展 1 个；已评估 4 个，尚无评分表 0 个\n"
    "  等级：A 3，B 0，C 0，D 0，取消评价资格 1\n"
    "2024 年：评估表 140 项指标，名单 1 个机构，评分表 1 份；状态 draft（草稿，未经审定）\n"
    "  开展评价 1 个，未开展 0 个；已评估 1 个，尚无评分表 0 个\n"
    "  等级：A 1，B 0，C 0，D 0，取消评价资格 0\n"
)


def build(root: Path, *args: str):
    return in_process("build", "--root", str(root), "--jobs", "1", *args)


def timeless(text: str) -> str:
    """The one figure of the output that is not the data's: the time the build took."""
    return re.sub(r"用时 \d+\.\d\d 秒", "用时 … 秒", text)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the output and every ledger of the data."""
    files = [*(root / "output").rglob("*"), *(root / "scores").glob("*/ledger.json")]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files if p.is_file()}


def entries(root: Path, year: int) -> list[dict]:
    return json.loads((root / f"scores/{year}/ledger.json").read_text(encoding="utf-8"))["entries"]


def published_2023(root: Path) -> Path:
    """2023 approved and published on its own, as before 2024 existed."""
    result = build(root, "--publish")
    assert result.code == 0, result.err
    return root


def with_draft_2024_and_a_correction(root: Path) -> Path:
    add_2024(root)
    (root / "scores/2024/status.yaml").write_text(DRAFT_2024, encoding="utf-8")
    set_item(root, "P01", "1-02", 1)
    write_corrections(root, FIRST)
    return root


@pytest.fixture(scope="module")
def pending_once(tmp_path_factory) -> Path:
    return with_draft_2024_and_a_correction(published_2023(approved_mini(tmp_path_factory.mktemp("years"))))


@pytest.fixture
def pending(pending_once, tmp_path) -> Path:
    """2023 published, a correction to it not yet published, 2024 a draft (each test its own copy)."""
    root = tmp_path / "m"
    shutil.copytree(pending_once, root, symlinks=True)
    return root


def published_note(root: Path) -> str:
    return (
        "已正式发布：\n"
        f"  网站：{root / 'output'}（整个文件夹上传到局网站）\n"
        f"  发布记录：{root / 'scores/2023/ledger.json'}\n"
        "  未发布：2024 年度（草稿，未经审定），没有发布记录；网站中它的页面标有“草稿，未经审定”，不被搜索引擎收录；"
        "审定后运行 build --publish --year 2024 发布\n"
        "请把发布记录连同评分表（scores/）、评估表（rubric/）和页面内容（content/）一起保存备份；"
        "以后每次构建都以发布记录为准核对改动。\n"
    )


@pytest.mark.parametrize("args", [("--year", "2023"), ()], ids=["--year 2023", "every approved year"])
def test_a_correction_is_published_while_the_next_year_is_a_draft(pending, args):
    before = entries(pending, 2023)
    result = build(pending, "--publish", *args)
    assert (result.code, result.err) == (0, "")
    assert timeless(result.out) == (
        SUMMARY
        + f"已生成到 {pending / 'output'}：写出 64 个文件，其中 0 页取自缓存，用时 … 秒\n"
        + published_note(pending)
    )
    # 2023: one new entry, the correction in it; the old entry as it was
    after = entries(pending, 2023)
    assert after[:1] == before and [c["number"] for c in after[1]["corrections"]] == [1]
    # 2024: no record in the data; an empty one in the site, its pages a draft's, kept from crawlers
    assert not (pending / "scores/2024/ledger.json").exists()
    site_ledger = json.loads((pending / "output/2024/data/ledger.json").read_text(encoding="utf-8"))
    assert site_ledger["entries"] == []
    page = (pending / "output/2024/index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in page and "草稿，未经审定" in page
    robots = (pending / "output/robots.txt").read_text(encoding="utf-8")
    assert "Disallow: /kh/2024/\nAllow: /kh/\n" in robots
    sitemap = (pending / "output/sitemap.xml").read_text(encoding="utf-8")
    assert "/kh/2023/index.html" in sitemap and "/kh/2024/" not in sitemap
    # the correction's feed item names the publication that carried it
    feed = feedparser.parse((pending / "output/feed.xml").read_bytes())
    item = next(e for e in feed.entries if e.id == "xinzhou-pjjg-2023-correction-1")
    assert f"2023年度发布记录校验码：{after[1]['hash'][:12]}（第2次发布）。" in item.summary
    # the result verifies
    heads = f"2023 年度 {after[1]['hash'][:12]}，2024 年度 尚未发布"
    checked = in_process("verify", str(pending / "output"), "--root", str(pending))
    assert (checked.code, checked.err) == (0, "")
    assert checked.out == (
        f"核验通过：{pending / 'output'} 的 63 个文件与 SHA256SUMS、发布记录一致（校验码：{heads}）。\n"
        "按仓库数据重新生成的网站与之逐字节相同。\n"
    )
    # publishing again adds nothing
    again = build(pending, "--publish", *args)
    assert again.code == 0 and entries(pending, 2023) == after


def test_the_draft_year_by_name_is_refused_and_nothing_changes(pending):
    before = snapshot(pending)
    result = build(pending, "--publish", "--year", "2024")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "错误：不能正式发布：\n"
        "scores/2024/status.yaml: status 为 draft（草稿，未经审定），只有 approved（已审定）的数据可以正式发布；"
        "2024 年度须经审定后，把 status 改为 approved 并填写 approved_by 和 approved_on，"
        "再运行 build --publish --year 2024\n"
    )
    assert snapshot(pending) == before


def test_a_year_with_no_data_is_refused(pending):
    result = build(pending, "--publish", "--year", "2025")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "错误：不能正式发布：\n--year 2025：没有 2025 年度的数据（scores/2025/）；现有的年度：2023、2024\n"
    )


def test_year_without_publish_is_refused(pending):
    result = build(pending, "--year", "2023")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "错误：--year 只和 --publish 一起用（指定正式发布哪些年度）；不带 --publish 的 build 总是生成全部年度，"
        "请去掉 --year\n"
    )


def test_a_published_year_left_out_with_a_pending_correction_stops_it(tmp_path):
    """2023 and 2024 both published; a correction to 2023 pending: publishing 2024 alone would leave
    2023's pages other than its record, so it is refused, naming what to type."""
    root = approved_mini(tmp_path)
    add_2024(root)  # approved
    assert build(root, "--publish").code == 0
    set_item(root, "P01", "1-02", 1)
    write_corrections(root, FIRST)
    before = snapshot(root)
    result = build(root, "--publish", "--year", "2024")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "错误：不能只发布 2024 年度：2023 年度已正式发布过，现有尚未发布的改动（更正、异议或网页内容）；"
        "只发布 2024 年度，网站上的2023 年度就与其发布记录不符。请一并发布：build --publish --year 2023 2024\n"
    )
    assert snapshot(root) == before
    result = build(root, "--publish", "--year", "2023", "2024")
    assert result.code == 0, result.err
    assert len(entries(root, 2023)) == 2 and len(entries(root, 2024)) == 1


# --- the property, over every case ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_once(tmp_path_factory) -> Path:
    """2023 published on its own; 2024's data present, approved (each example sets its status)."""
    root = published_2023(approved_mini(tmp_path_factory.mktemp("base")))
    add_2024(root)
    return root


CHOICES = [(), (2023,), (2024,), (2023, 2024)]


@pytest.mark.parametrize("chosen", CHOICES, ids=lambda c: "--year " + " ".join(map(str, c)) if c else "no --year")
@pytest.mark.parametrize("correction_2023", [False, True], ids=["", "2023 corrected"])
@pytest.mark.parametrize("draft_2024", [False, True], ids=["2024 approved", "2024 draft"])
def test_publishing_some_years_changes_no_other_years_record(
    base_once, tmp_path_factory, draft_2024, correction_2023, chosen
):
    """Over the whole space (16 cases: every status of 2024, a pending 2023 correction or not, every
    `--year` choice): a publication either is refused with nothing written, or changes no record
    but those of the years it publishes (each appended to at most once), and verifies."""
    root = tmp_path_factory.mktemp("example") / "m"
    shutil.copytree(base_once, root, symlinks=True)
    if draft_2024:
        (root / "scores/2024/status.yaml").write_text(DRAFT_2024, encoding="utf-8")
    if correction_2023:
        set_item(root, "P01", "1-02", 1)
        write_corrections(root, FIRST)
    before = snapshot(root)
    result = build(root, "--publish", *(["--year", *map(str, chosen)] if chosen else []))
    approved = {2023} | (set() if draft_2024 else {2024})
    published = set(chosen) or approved
    refused = (
        bool(published - approved)  # a year named that is not approved
        or (correction_2023 and 2023 not in published)  # a published year left out with something new
        or (2024 in approved and 2024 not in published)  # an approved year never published, left out
    )
    assert "Traceback" not in result.err
    if refused:
        assert result.code == 1 and result.err.startswith("错误：")
        assert snapshot(root) == before  # nothing written, nothing recorded
        return
    assert result.code == 0, result.err
    after = snapshot(root)
    for year in (2023, 2024):
        rel = f"scores/{year}/ledger.json"
        if year not in published:
            assert after.get(rel) == before.get(rel), year  # another year's record: untouched (or absent)
        else:
            old = json.loads(before[rel])["entries"] if rel in before else []
            new = entries(root, year)
            assert new[: len(old)] == old and len(new) - len(old) <= 1  # appended to, at most once
    assert (2024 in published) == (root / "scores/2024/ledger.json").exists()
    checked = in_process("verify", str(root / "output"), "--root", str(root))
    assert checked.code == 0, checked.err


def test_the_front_of_the_site_shows_the_published_year_not_the_draft(pending):
    """The home page, the site's own pages and the feed are what a reader and a feed reader meet
    first: while some year is approved they show the latest approved year, not the draft (which
    would make the front page `noindex` and put a draft item into the feed, where an item never
    changes). The draft is still listed, as a draft, under 历年结果."""
    assert build(pending, "--publish", "--year", "2023").code == 0
    home = (pending / "output/index.html").read_text(encoding="utf-8")
    assert 'content="noindex"' not in home and "status-banner" not in home
    assert '<p class="lead">2023年度忻州市职业技能等级评价机构年度绩效考核结果已经' in home
    assert "2024年度考核结果</a>（草稿，未经审定）" in home
    about = (pending / "output/about/index.html").read_text(encoding="utf-8")
    assert 'content="noindex"' not in about and "status-banner" not in about
    feed = feedparser.parse((pending / "output/feed.xml").read_bytes())
    assert not any("-2024-" in e.id for e in feed.entries)
    assert any(e.id == "xinzhou-pjjg-2023-results" for e in feed.entries)


def test_the_draft_years_pages_as_published_are_recorded_and_verified(pending, tmp_path):
    """The draft year's pages are part of what is uploaded: the publication records their bytes with
    the shared files (`site_files`), so a copy is checked file by file there too (issue 24, point 6),
    and a live copy stays authentic after the clerk goes on editing the draft."""
    assert build(pending, "--publish", "--year", "2023").code == 0
    entry = entries(pending, 2023)[-1]
    assert "2024/index.html" in entry["site_files"]
    live = tmp_path / "live"
    shutil.copytree(pending / "output", live)
    set_item(pending, "P01", "1-03", {"score": 0, "reason": "复核"}, year=2024)  # the clerk goes on with the draft
    checked = in_process("verify", str(live), "--root", str(pending))
    assert (checked.code, checked.err) == (0, ""), checked.err
    assert "仓库中另有尚未发布的改动" in checked.out
    # a draft page changed on the live copy, its SHA256SUMS redone: named against the record
    page = live / "2024/institutions/P01/index.html"
    page.write_bytes(page.read_bytes().replace("甲职业培训学校".encode(), "乙职业培训学校".encode()))
    sums = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(live).as_posix()}\n"
        for p in sorted(live.rglob("*"))
        if p.is_file() and p.name not in ("SHA256SUMS", ".site-builder-output")
    )
    (live / "SHA256SUMS").write_text(sums, encoding="utf-8")
    checked = in_process("verify", str(live), "--root", str(pending))
    assert checked.code == 1
    assert (
        "  2024/institutions/P01/index.html: 文件的 SHA-256 与发布记录（2023 年度）第 2 次发布所记不符" in checked.err
    )


def test_an_approved_year_never_published_cannot_be_left_out(tmp_path):
    """2024 approved but never published: publishing 2023 alone would put 2024 online, as official
    results, with no record. Refused, naming both ways out."""
    root = published_2023(approved_mini(tmp_path))
    add_2024(root)  # approved
    before = snapshot(root)
    result = build(root, "--publish", "--year", "2023")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "错误：不能正式发布：\n"
        "scores/2024/status.yaml: 2024 年度已审定（approved），但从未正式发布；只发布 2023 年度，网站上的 2024 年度"
        "就成了没有发布记录的正式结果。请一并发布：build --publish --year 2023 2024；"
        "2024 年度还不到发布的时候，就先把它的 status 改回 draft\n"
    )
    assert snapshot(root) == before
