"""The cache only ever costs time: full, incremental, serial and parallel builds give the same bytes;
a tampered cache or a code change never changes a byte; page keys cover every input (issues 11, 14)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import marshal
import os
import pickle
import random
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.mini import make_mini
from support.project import REPO, in_process
from support.yamlfiles import dump_yaml, load_yaml

from site_builder.build import context as context_module
from site_builder.build import flow as build_module
from site_builder.build import generate as site
from site_builder.build.context import BuildContext, open_cache
from site_builder.build.flow import build
from site_builder.build.layout import Layout
from site_builder.common.processes import Forked
from site_builder.errors import BuildError, DataError
from site_builder.read import rubric as rubric_module
from site_builder.storage import hashes, records, sealed
from site_builder.storage import stamp as uptodate


def uncached(years) -> set[str]:
    """What every build writes afresh, outside the page cache, named from the modules that write
    it: the assets, SHA256SUMS, sitemap.xml and robots.txt, and per year its ledger.json
    and its CMS package (copies of the data files, the fragment and the notes)."""
    from site_builder.build import datafiles as outputs
    from site_builder.common import urls
    from site_builder.publish import cms
    from site_builder.record import ledger

    rels = {urls.checksums(), "sitemap.xml", "robots.txt", "files.txt"} | {urls.asset(a) for a in outputs.ASSETS}
    for y in years:
        rels.add(urls.data_file(y, ledger.LEDGER_FILE))
        rels |= {cms.cms_file(y, name) for name in cms.ATTACHED} | {
            cms.cms_file(y, cms.FRAGMENT),
            cms.cms_file(y, cms.NOTES),
        }
    return rels


def assert_all_cached_but_uncached(stats, out: Path, root: Path, made_again: set[str] = frozenset()) -> None:
    """Every file of the output came from the cache except what is always written afresh (and
    `made_again`), and exactly the cacheable files are in the cache's manifest."""
    years = sorted(int(p.name) for p in out.iterdir() if p.is_dir() and p.name.isdigit())
    always = uncached(years)
    written = set(files(out)) - {".site-builder-output"}  # the tool's manifest, not a written file (issue 24)
    assert always <= written, sorted(always - written)
    manifest = json.loads((root / CACHE / "manifest.json").read_bytes()[32:])["entries"]
    assert set(manifest) == written - always, sorted(set(manifest) ^ (written - always))
    assert stats.files == len(written)
    assert stats.reused == len(written) - len(always) - len(made_again)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "data"
    result = in_process("synth", "--institutions", "120", "--out", str(root), "--seed", "7", "--root", str(REPO))
    assert result.code == 0, result.err
    return root


def test_synth_is_deterministic_valid_and_varied(synth, tmp_path):
    again = tmp_path / "again"
    assert (
        in_process("synth", "--institutions", "120", "--out", str(again), "--seed", "7", "--root", str(REPO)).code == 0
    )
    assert files(again) == files(synth)
    other = tmp_path / "other"
    assert (
        in_process("synth", "--institutions", "120", "--out", str(other), "--seed", "8", "--root", str(REPO)).code == 0
    )
    assert files(other) != files(synth)
    result = in_process("validate", "--root", str(synth))
    assert result.code == 0, result.err
    counts = re.search(
        r"开展评价 (\d+) 个，未开展 (\d+) 个；已评估 (\d+) 个.*等级：A (\d+)，B (\d+)，C (\d+)，D (\d+)，取消评价资格 (\d+)",
        result.out,
        re.S,
    )
    active, inactive, assessed, a, b, c, d, vetoed = map(int, counts.groups())
    assert active + inactive == 120 and inactive > 0 and assessed == active
    assert min(a, b, c, d) > 0 and vetoed > 0


def _build(root: Path, out: Path, templates: Path | None = None, **kw):
    """A build that runs: these tests are about the page cache, so the up-to-date stamp (which skips
    a build when nothing at all changed; tests/test_uptodate.py) is dropped first."""
    layout = Layout.from_args(root=str(root), out=str(out))
    if templates is not None:
        layout = dataclasses.replace(layout, templates=templates)
    uptodate.forget(layout.cache)
    return build(layout, **kw)[2]


def test_full_parallel_and_incremental_builds_give_the_same_bytes(tmp_path, monkeypatch):
    root = tmp_path / "data"
    assert in_process("synth", "--institutions", "40", "--out", str(root), "--seed", "7", "--root", str(REPO)).code == 0
    forked = []  # the slow files made in a forked process (site.BACKGROUND_FROM)
    monkeypatch.setattr(site, "Forked", lambda *args, **kw: forked.append(args) or Forked(*args, **kw))
    serial = _build(root, tmp_path / "serial", workers=1, cache=False)
    parallel = _build(root, tmp_path / "parallel", workers=2, cache=False)  # 40 pages: rendered by 2 processes
    assert serial.reused == parallel.reused == 0
    assert files(tmp_path / "serial") == files(tmp_path / "parallel")
    assert forked == []  # 40 institutions: the feed and results.xlsx made in this process (synth: no article)
    monkeypatch.setattr(site, "BACKGROUND_FROM", 40)  # now a large site: both forked
    _build(root, tmp_path / "background", workers=2, cache=False)
    assert len(forked) == 2
    assert files(tmp_path / "background") == files(tmp_path / "serial")

    warm = _build(root, tmp_path / "inc", workers=2, cache=True)
    assert warm.reused == 0
    unchanged = _build(root, tmp_path / "inc", workers=2, cache=True)
    assert_all_cached_but_uncached(unchanged, tmp_path / "inc", root)  # every page and data file from the cache
    assert files(tmp_path / "inc") == files(tmp_path / "serial")

    sheet = sorted((root / "scores/2023").glob("[PM]*.yaml"))[0]
    text = sheet.read_text(encoding="utf-8")
    changed = re.sub(r"^  1-01: .*$", "  1-01: {score: 0, reason: 复核改动}", text, count=1, flags=re.M)
    if changed == text:
        changed = re.sub(r"^  1-01: .*$", "  1-01: 1", text, count=1, flags=re.M)
    sheet.write_text(changed, encoding="utf-8")
    incremental = _build(root, tmp_path / "inc", workers=2, cache=True)
    # made again: the changed sheet's page, those whose rank moved, and what lists every institution
    assert 0 < incremental.reused < incremental.files - len(uncached([2023]))
    _build(root, tmp_path / "full", workers=1, cache=False)
    assert files(tmp_path / "inc") == files(tmp_path / "full")


# --- a tampered cache costs time, never a byte ------------------------------------------------


@pytest.fixture
def mini(tmp_path) -> Path:
    return make_mini(tmp_path / "mini")


CACHE = ".cache/site_builder"


@pytest.fixture(scope="module")
def reference_made(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """The mini project's --no-cache build, once for the module: what it left in the project's cache
    folder (its compiled templates, sealed with the session's key) and its output's bytes."""
    where = tmp_path_factory.mktemp("reference")
    root = make_mini(where / "mini")
    _build(root, where / "ref", cache=False)
    return root / CACHE, files(where / "ref")


@pytest.fixture
def reference(mini, reference_made) -> dict[str, bytes]:
    """The --no-cache build's bytes, and `mini` as that build leaves it: its cache folder holding the
    compiled templates (copied from the module's build of the same project; read-only there)."""
    cache, out = reference_made
    assert not (mini / CACHE).exists()
    shutil.copytree(cache, mini / CACHE)
    return out


P01_PAGE = "2023/institutions/P01/index.html"


def _manifest(root: Path) -> dict:
    """The manifest as stored: its JSON behind the 32-byte HMAC seal."""
    return json.loads((root / CACHE / "manifest.json").read_bytes()[32:])


def _object(root: Path, rel: str) -> Path:
    key = _manifest(root)["entries"][rel][0]
    return root / CACHE / "objects" / key[:2] / key[2:]


def _edit_keeping_mtime(path: Path, old: bytes, new: bytes) -> None:
    st = path.stat()
    os.chmod(path, 0o644)
    data = path.read_bytes()
    assert old in data and len(old) == len(new)
    path.write_bytes(data.replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_an_object_edited_with_its_mtime_kept_is_not_reused(mini, tmp_path, reference):
    assert b"108.75" in reference[P01_PAGE] and b"108.75" in reference["2023/data/results.csv"]
    _build(mini, tmp_path / "out", cache=True)
    for rel in (P01_PAGE, "2023/data/results.csv"):  # P01's total, 108.75, published as 180.75
        _edit_keeping_mtime(_object(mini, rel), b"108.75", b"180.75")
    stats = _build(mini, tmp_path / "out", cache=True)
    assert files(tmp_path / "out") == reference
    assert_all_cached_but_uncached(
        stats, tmp_path / "out", mini, made_again={P01_PAGE, "2023/data/results.csv"}
    )  # just those two made again


def test_the_live_output_shares_nothing_with_the_cache(mini, tmp_path, reference):
    out = tmp_path / "out"
    _build(mini, out, cache=True)
    stats = _build(mini, out, cache=True)
    assert_all_cached_but_uncached(stats, out, mini)
    assert all(p.stat().st_nlink == 1 for p in out.rglob("*") if p.is_file())  # copies, never hard links
    page = out / P01_PAGE
    page.write_bytes(page.read_bytes().replace(b"108.75", b"180.75"))  # someone edits the live site
    # since issue 24 the edit is not overwritten but refused, naming it; once it is moved away, the
    # cache (which the edit did not reach) gives the reference bytes
    with pytest.raises(BuildError, match="（生成后被改动过）"):
        _build(mini, out, cache=True)
    page.unlink()
    again = _build(mini, out, cache=True)
    assert_all_cached_but_uncached(again, out, mini)
    assert files(out) == reference


def _rewrite_manifest(root: Path, change) -> None:
    """Edit the manifest's entries as a careful tamperer would: the body re-sealed with everything one
    can compute without the key (a plain SHA-256 in place of the HMAC)."""
    doc = _manifest(root)
    change(doc["entries"])
    body = json.dumps(doc, sort_keys=True).encode()
    (root / CACHE / "manifest.json").write_bytes(hashlib.sha256(body).digest() + body)


def test_an_edited_manifest_is_not_trusted(mini, tmp_path, reference):
    out = tmp_path / "out"
    _build(mini, out, cache=True)
    manifest = mini / CACHE / "manifest.json"
    raw = manifest.read_bytes()
    doc = _manifest(mini)
    doc["entries"][P01_PAGE][1] = "0" * 64  # edited by hand, the seal left as it was
    manifest.write_bytes(raw[:32] + json.dumps(doc, sort_keys=True).encode())
    assert _build(mini, out, cache=True).reused == 0 and files(out) == reference

    m01 = "2023/institutions/M01/index.html"
    # re-sealed without the key: P01's entry pointed at M01's page (key and hash), then at M01's hash only
    _rewrite_manifest(mini, lambda e: e.__setitem__(P01_PAGE, list(e[m01])))
    assert _build(mini, out, cache=True).reused == 0 and files(out) == reference
    _rewrite_manifest(mini, lambda e: e.__setitem__(P01_PAGE, [e[P01_PAGE][0], e[m01][1]]))
    assert _build(mini, out, cache=True).reused == 0 and files(out) == reference
    for junk in ("not json", '{"format": 4, "entries": {"x": 1}}', "[]"):
        manifest.write_text(junk)
        assert _build(mini, out, cache=True).reused == 0 and files(out) == reference
    stats = _build(mini, out, cache=True)  # the cache made again by the last build is trusted
    assert_all_cached_but_uncached(stats, out, mini)
    assert files(out) == reference


def test_an_edited_sheet_roster_or_rubric_cache_is_not_trusted(mini, tmp_path, reference):
    out = tmp_path / "out"
    _build(mini, out, cache=True)
    sheets = mini / CACHE / "sheets-2023.marshal"
    raw = sheets.read_bytes()
    assert b"0.75" in raw
    _edit_keeping_mtime(sheets, b"0.75", b"0.25")  # P01's 2-01, seal left as it was
    _edit_keeping_mtime(mini / CACHE / "roster-2023.marshal", "甲".encode(), "乙".encode())
    [rubric] = (mini / CACHE).glob("rubric-*.marshal")
    _edit_keeping_mtime(rubric, "综合考核评估表".encode(), "综合考试评估表".encode())
    _build(mini, out, cache=True)
    assert files(out) == reference
    for path in (sheets, mini / CACHE / "roster-2023.marshal", rubric):
        path.write_bytes(b"garbage")
        _build(mini, out, cache=True)
        assert files(out) == reference


_YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.dates(),
    st.datetimes(),
    st.text(max_size=8),
)
_YAML_VALUES = st.recursive(
    _YAML_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_YAML_SCALARS.filter(lambda k: k == k), inner, max_size=4)
    ),
    max_leaves=20,
)


def _typed(value):
    """A value with every part's type beside it: 1 == 1.0 == True == Decimal(1) would hide a changed type."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, str(value))


@settings(max_examples=200, deadline=None)
@given(_YAML_VALUES)
def test_a_document_comes_back_from_the_cache_as_it_was_read(value):
    """What the rubric cache keeps (records.pack_document, through marshal) is what yamlio read:
    mappings stay mappings, lists lists, a Decimal a Decimal with its digits, a date a date."""
    packed = marshal.loads(marshal.dumps(records.pack_document(value)))
    assert _typed(records.unpack_document(packed)) == _typed(value)


def test_the_rubric_is_read_from_the_cache_until_its_file_changes(mini, tmp_path, reference, monkeypatch):
    """A valid rubric's content is cached by the file's bytes (read/rubric.py): the next build does not
    read the file with the YAML reader and gives the same bytes; an edited rubric is read, and one with
    a problem is refused as without the cache and never cached."""
    read = []
    real = rubric_module.read_document
    monkeypatch.setattr(rubric_module, "read_document", lambda path, *a: read.append(path.name) or real(path, *a))
    out = tmp_path / "out"
    _build(mini, out, cache=True)
    _build(mini, out, cache=True)
    assert read == ["2023.yaml"] and files(out) == reference
    path = mini / "rubric/2023.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("title: 忻州市职业技能人才评价机构综合考核评估表", "title: 综合考核评估表（修订）"), "utf-8"
    )
    _build(mini, out, cache=True)
    assert read == ["2023.yaml"] * 2 and "综合考核评估表（修订）" in (out / "2023/rubric/index.html").read_text("utf-8")
    cached = sorted(p.read_bytes() for p in (mini / CACHE).glob("rubric-*.marshal"))
    path.write_text(text.replace("  base_max: 100", "  base_max: 99"), "utf-8")
    with pytest.raises(DataError, match="与原表印出的 99 不符"):
        _build(mini, out, cache=True)
    assert sorted(p.read_bytes() for p in (mini / CACHE).glob("rubric-*.marshal")) == cached


def _expanded(rec):
    return records.unpack_sheet(rec, records.Decimals())


def _raised(section_sums):
    return tuple((n, v + 40) for n, v in section_sums)


def _sheet_cache(root: Path) -> sealed.EntriesFile:
    """The sheet cache of 2023 as the build reads it (with the user's key and this package's code)."""
    cache = open_cache(root / CACHE)
    assert cache is not None
    return cache.entries("sheets-2023.marshal")


def _context_key(root: Path) -> str:
    """What the 2023 sheets are kept under: the rubric's and the roster's bytes (read/project.py)."""
    context = (root / "rubric/2023.yaml").read_bytes() + b"\0" + (root / "scores/2023/roster.yaml").read_bytes()
    return hashlib.sha256(context).hexdigest()


def _forge_sheet_cache(root: Path) -> None:
    """D1: every cached sheet's section sums raised by 40, the file re-sealed with all one can compute
    without the key (a plain SHA-256 of the body, as the old format had it)."""
    sheets = root / CACHE / "sheets-2023.marshal"
    key, entries = marshal.loads(sheets.read_bytes()[32:])
    forged = [
        (
            k,
            records.pack_sheet(dataclasses.replace(_expanded(rec), section_sums=_raised(_expanded(rec).section_sums))),
        )
        for k, rec in entries
    ]
    body = marshal.dumps((key, forged))
    sheets.write_bytes(hashlib.sha256(body).digest() + body)


def test_a_forged_sheet_cache_with_a_recomputed_checksum_changes_nothing(mini, tmp_path, reference):
    """D1 (issue 11): a cached sheet rewritten with a recomputed plain checksum is not trusted."""
    _build(mini, tmp_path / "out", cache=True)
    assert len(_sheet_cache(mini).read(_context_key(mini))) == 3
    _forge_sheet_cache(mini)
    assert _sheet_cache(mini).read(_context_key(mini)) == {}
    _build(mini, tmp_path / "out", cache=True)
    assert files(tmp_path / "out") == reference  # byte for byte the --no-cache build, SHA256SUMS included
    assert b'"total": 108.75' in (tmp_path / "out/2023/data/results.json").read_bytes()


def test_an_edited_stats_cache_changes_nothing(mini, tmp_path, reference):
    """D2 (issue 11): the statistics cache is sealed too; an edited mean is recomputed."""
    out = tmp_path / "out"
    _build(mini, out, cache=True)
    path = mini / CACHE / "stats" / "2023.json"
    raw = path.read_bytes()
    found = re.search(rb'"total_mean": "(\d)', raw)
    assert found, raw[:200]
    digit = found.group(1)
    other = b"1" if digit != b"1" else b"2"
    path.write_bytes(raw[: found.start(1)] + other + raw[found.end(1) :])  # e.g. 77.86 -> 17.86
    _build(mini, out, cache=True)
    assert files(out) == reference
    body = path.read_bytes()[32:]  # and re-sealed with a plain SHA-256: still not trusted
    edited = body.replace(found.group(0), found.group(0)[:-1] + other)
    path.write_bytes(hashlib.sha256(edited).digest() + edited)
    _build(mini, out, cache=True)
    assert files(out) == reference


def test_the_cache_key_lives_outside_the_cache_and_is_private(mini, tmp_path, reference, cache_key_dir):
    key = cache_key_dir / sealed.KEY_FILE
    _build(mini, tmp_path / "out", cache=True)
    assert key.is_file() and len(key.read_bytes()) >= 32 and key.stat().st_mode & 0o777 == 0o600
    assert not any(p.name == sealed.KEY_FILE for p in mini.rglob("*"))


def test_without_a_readable_key_the_build_runs_without_the_cache(mini, tmp_path, reference, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the key folder should be")
    monkeypatch.setenv(sealed.KEY_DIR_ENV, str(blocked / "site_builder"))
    assert sealed.CacheKey.load() is None and open_cache(mini / CACHE) is None
    out = tmp_path / "out"
    before = files(mini / CACHE)  # (the reference build, with a key, kept its compiled templates)
    for _ in range(2):
        stats = _build(mini, out, cache=True)
        assert stats.reused == 0 and files(out) == reference
    assert files(mini / CACHE) == before  # nothing read or written there


def test_publish_never_reads_the_cache(mini, tmp_path):
    """An official publication is always made afresh, whatever the cache holds."""
    from support.mini import approve

    approve(mini)
    twin = tmp_path / "twin"
    shutil.copytree(mini, twin)
    _build(
        twin, tmp_path / "ref", cache=False, publish_mode=True, today=dt.date(2030, 1, 1)
    )  # the same publication, no cache anywhere
    _build(mini, tmp_path / "out", cache=True)
    _forge_sheet_cache(mini)
    stats = _build(mini, tmp_path / "out", cache=True, publish_mode=True, today=dt.date(2030, 1, 1))
    assert stats.reused == 0 and files(tmp_path / "out") == files(tmp_path / "ref")


def test_a_cached_sheet_keeps_every_field(mini, monkeypatch):
    from site_builder.build.validate import load
    from site_builder.read import project as loader

    parsed = []
    real = loader.load_sheet
    monkeypatch.setattr(loader, "load_sheet", lambda *a: parsed.append(a[0].name) or real(*a))
    layout = Layout.from_args(root=str(mini))
    site = load(layout, BuildContext(layout, open_cache(layout.cache)))
    assert sorted(parsed) == ["M01.yaml", "P01.yaml", "P02.yaml"]
    again = load(layout, BuildContext(layout, open_cache(layout.cache)))
    assert len(parsed) == 3  # the second time from the sheet cache
    sheets = [s for rep in site.reports for s in rep.data.sheets]
    cached = [s for rep in again.reports for s in rep.data.sheets]
    assert cached == sheets and [s.items[1] for s in cached] == [s.items[1] for s in sheets]
    with_self = dataclasses.replace(
        sheets[0],
        items=tuple(dataclasses.replace(i, self_score=i.score, self_reason="自评说明") for i in sheets[0].items),
    )
    assert _expanded(records.pack_sheet(with_self)) == with_self


def test_a_code_change_without_a_version_bump_reuses_nothing(mini, tmp_path, reference, monkeypatch):
    out = tmp_path / "out"
    _build(mini, out, cache=True)
    assert len(_sheet_cache(mini).read(_context_key(mini))) == 3
    monkeypatch.setattr(context_module, "package_digest", lambda: "another build of the package")
    stats = _build(mini, out, cache=True)
    assert stats.reused == 0 and files(out) == reference
    monkeypatch.undo()
    assert _sheet_cache(mini).read(_context_key(mini)) == {}  # kept under the other code's digest

    copy = tmp_path / "pkg"
    shutil.copytree(REPO / "site_builder", copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = hashes.package_digest(copy)
    assert before == hashes.package_digest()
    scoring = copy / "domain" / "scoring.py"
    scoring.write_text(scoring.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert hashes.package_digest(copy) != before


def test_a_template_change_invalidates_the_cache(mini, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    out = tmp_path / "out"
    _build(mini, out, templates, cache=True)
    again = _build(mini, out, templates, cache=True)
    assert_all_cached_but_uncached(again, out, mini)
    inst = templates / "institution.html"
    inst.write_text(inst.read_text(encoding="utf-8").replace("返回机构名单", "返回名单"), encoding="utf-8")
    assert _build(mini, out, templates, cache=True).reused == 0
    assert "返回名单" in (out / P01_PAGE).read_text(encoding="utf-8")


def test_fingerprints_see_every_value_and_refuse_what_they_cannot_see():
    from decimal import Decimal

    from markupsafe import Markup

    fp = hashes.Fingerprint()
    values = [
        Decimal("1"),
        Decimal("1.0"),
        "1",
        1,
        Markup("1"),
        None,
        True,
        (1,),
        [1],
        {"a": 1},
        {"b": 1},
        ("a", "b"),
        ("ab",),
        {"a": 1, "b": 2},
        {"b": 2, "a": 1},
    ]
    assert len({fp(v) for v in values}) == len(values)
    with pytest.raises(hashes.Unhashable):
        fp(lambda: 1)
    with pytest.raises(hashes.Unhashable):
        fp(object())


# --- page keys cover every input: a differential test ------------------------------------------


def _toggle(path: Path, a: str, b: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert a in text or b in text, (path, a)
    path.write_text(text.replace(a, b, 1) if a in text else text.replace(b, a, 1), encoding="utf-8")


def _edit_sheet(root: Path, inst: str, change) -> None:
    path = root / f"scores/2023/{inst}.yaml"
    doc = load_yaml(path.read_text(encoding="utf-8"))
    change(doc["items"])
    path.write_text(dump_yaml(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def _bonus(root: Path, items: dict) -> None:
    """M01's bonus all or nothing: 120 or 100 against P01's 108.75, so the two swap ranks."""
    rubric = load_yaml((root / "rubric/2023.yaml").read_text(encoding="utf-8"))
    bonus = [i for s in rubric["sections"] if s["number"] == 7 for g in s["groups"] for i in g["items"]]
    zero = all(items[i["id"]] == 0 for i in bonus)
    for i in bonus:
        items[i["id"]] = i["max"] if zero else 0


def _score(items: dict) -> None:
    items["2-01"] = 1 if items["2-01"] != 1 else {"score": 0.75, "reason": "缺1项"}


EDITS = {
    "sheet": lambda root, t: _edit_sheet(root, "P01", _score),
    "ranks": lambda root, t: _edit_sheet(root, "M01", lambda items: _bonus(root, items)),
    "roster": lambda root, t: _toggle(root / "scores/2023/roster.yaml", "乙人力资源有限公司", "乙人力资源股份公司"),
    "status": lambda root, t: _toggle(
        root / "scores/2023/status.yaml", "published_on: 2024-01-15", "published_on: 2024-01-16"
    ),
    "rubric": lambda root, t: _toggle(
        root / "rubric/2023.yaml", "认定公告各项信息设置准确无误。", "认定公告各项信息均设置准确无误。"
    ),
    "announcement": lambda root, t: _toggle(root / "content/2023/announcement.md", "开展考核。", "开展了考核。"),
    "settings": lambda root, t: _toggle(
        root / "content/site.yaml", "title: 测试考核结果公示", "title: 测试考核结果公告"
    ),
    "page": lambda root, t: _toggle(root / "content/pages/about.md", "关于本站。", "关于本网站。"),
    "template": lambda root, t: _toggle(t / "institution.html", "返回机构名单", "返回名单"),
    "layout": lambda root, t: _toggle(t / "base.html", "跳到正文", "跳至正文"),
}


def differential(root: Path, work: Path, edits: list[str]) -> str | None:
    """After each edit, an incremental build against a --no-cache build; the first edit whose
    incremental build differs, or None."""
    templates = work / "templates"
    if not templates.exists():
        shutil.copytree(REPO / "templates", templates)
    _build(root, work / "inc", templates, cache=True)
    for name in edits:
        EDITS[name](root, templates)
        _build(root, work / "inc", templates, cache=True)
        _build(root, work / "full", templates, cache=False)
        if files(work / "inc") != files(work / "full"):
            return name
    return None


def _sequence(seed: int) -> list[str]:
    rng = random.Random(seed)
    names = list(EDITS)
    rng.shuffle(names)
    return names + rng.choices(list(EDITS), k=4)


def test_random_edits_incremental_equals_full(mini, tmp_path):
    for seed in (1,):
        assert differential(mini, tmp_path / f"s{seed}", _sequence(seed)) is None


CITY = frozenset({"city_sections", "city_total_mean", "lost"})  # stats.Comparison: moves with any score


@pytest.mark.parametrize(
    "dropped, caught_by",
    [
        ("rank", {"ranks"}),  # the example: a stale rank after another institution's bonus changed
        ("city", {"sheet"}),  # the city figures on institution pages (stats.Comparison)
        ("name", {"roster"}),
        ("published_on", {"status"}),
        ("text", {"rubric"}),
        ("templates", {"template", "layout"}),
    ],
)
def test_the_differential_test_fails_when_an_input_is_dropped_from_the_keys(
    mini, tmp_path, monkeypatch, dropped, caught_by
):
    if dropped == "templates":
        monkeypatch.setattr(build_module, "code_digest", lambda package, templates: "templates left out")
    else:
        # a bonus change also moves the city figures on every assessed page, which would re-render the
        # page with the stale rank: for the rank, leave those out too
        ignore = CITY if dropped == "city" else frozenset({dropped}) | (CITY if dropped == "rank" else frozenset())
        monkeypatch.setattr(site, "Fingerprint", lambda: hashes.Fingerprint(ignore=ignore))
    # the edits that show the input first (the rest of a random sequence after them), to keep this quick
    assert differential(mini, tmp_path, sorted(caught_by) + _sequence(1)) in caught_by


def test_a_failure_in_a_background_job_is_a_build_error_not_a_traceback():
    with pytest.raises(BuildError) as exc:
        Forked(lambda: 1 / 0).result("2023/data/results.xlsx")
    assert str(exc.value) == "生成 2023/data/results.xlsx 失败：division by zero"
    assert Forked(lambda: "好").result("x") == "好".encode()

    def refused():  # a check in the worker (the WeChat article's limits): its own message, as if made here
        raise BuildError("2023/wechat/article.html: 文章超过编辑器的字数上限")

    with pytest.raises(BuildError) as exc:
        Forked(refused, as_raised=True).result("2023/wechat/article.html")
    assert str(exc.value) == "2023/wechat/article.html: 文章超过编辑器的字数上限"


def test_build_ends_with_a_one_line_summary_and_no_progress_bar_off_a_terminal(mini):
    result = in_process("build", "--root", str(mini), "--jobs", "1")
    assert result.code == 0 and result.err == ""
    last = result.out.splitlines()[-1]
    assert re.fullmatch(r"已生成到 .*：写出 \d+ 个文件，其中 0 页取自缓存，用时 \d+\.\d\d 秒", last), last


def _compiled(payload: bytes):
    """(source checksum, code) of a compiled template as Jinja's bytecode cache stores it."""
    import jinja2

    f = io.BytesIO(payload[len(jinja2.bccache.bc_magic) :])
    return pickle.load(f), marshal.load(f)


@pytest.mark.compiles_templates
def test_compiled_templates_are_kept_sealed_even_without_the_cache_and_a_forged_one_is_compiled_again(
    mini, tmp_path, monkeypatch
):
    """Issue 27: compiling the templates cost a quarter of a 48-institution build, so the compiled
    code is kept in the cache folder, also with --no-cache (it is code, not output: every page is
    still rendered afresh). Jinja runs what it finds there, so each file is sealed: one edited or
    forged is not loaded, only compiled again, and the output stays the same (issue 11)."""
    import jinja2

    compiled: list[str] = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(
        jinja2.Environment,
        "compile",
        lambda self, source, name=None, *a, **k: compiled.append(name) or real(self, source, name, *a, **k),
    )
    _build(mini, tmp_path / "a", cache=False)
    first = set(compiled)
    kept = sorted((mini / CACHE / "compiled-templates").rglob("*"))
    kept = [p for p in kept if p.is_file()]
    assert "institution.html" in first and len(kept) == len(first)
    compiled.clear()
    _build(mini, tmp_path / "b", cache=False)
    assert compiled == [] and files(tmp_path / "b") == files(tmp_path / "a")  # loaded, not compiled
    # forged: template A's file made to hold B's code under A's source checksum, as Jinja would accept it
    # (its seal, under A's old MAC, no longer matches)
    (checksum, _code), (_other, code) = (_compiled(p.read_bytes()[32:]) for p in kept[:2])
    forged = kept[0]
    payload = jinja2.bccache.bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(code)
    forged.write_bytes(forged.read_bytes()[:32] + payload)
    _build(mini, tmp_path / "c", cache=False)
    assert len(compiled) == 1 and files(tmp_path / "c") == files(tmp_path / "a")
    compiled.clear()
    _build(mini, tmp_path / "d", publish_mode=False)  # with the cache: the same compiled templates
    assert compiled == []


@pytest.mark.parametrize("rel", ["rubric/2023.yaml", "scores/2023/roster.yaml"])
def test_a_cached_file_replaced_by_a_link_out_of_the_project_is_refused_as_without_the_cache(mini, tmp_path, rel):
    """The rubric's and the roster's content are cached by their bytes (`Paths.cache_entry`); the same
    bytes through a link to a file outside the project are refused all the same, never taken from
    the cache."""
    out = tmp_path / "out"
    _build(mini, out, cache=True)
    outside = tmp_path / "outside.yaml"
    outside.write_bytes((mini / rel).read_bytes())
    (mini / rel).unlink()
    (mini / rel).symlink_to(outside)
    with pytest.raises(DataError, match=f"{rel}: 是指向项目目录之外的符号链接，未读取"):
        _build(mini, out, cache=True)
