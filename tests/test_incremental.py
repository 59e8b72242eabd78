"""Synthetic data, and builds that give the same bytes whether full, incremental, serial or parallel."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, _in_process

from site_builder.build import Layout, build

UNCACHED = 12  # written afresh every build: the four assets, SHA256SUMS, sitemap.xml, robots.txt and the year's CMS package (5 files)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "data"
    result = _in_process("synth", "--institutions", "120", "--out", str(root), "--seed", "7", "--root", str(REPO))
    assert result.code == 0, result.err
    return root


def test_synth_is_deterministic_valid_and_varied(synth, tmp_path):
    again = tmp_path / "again"
    assert _in_process("synth", "--institutions", "120", "--out", str(again), "--seed", "7", "--root", str(REPO)).code == 0
    assert files(again) == files(synth)
    other = tmp_path / "other"
    assert _in_process("synth", "--institutions", "120", "--out", str(other), "--seed", "8", "--root", str(REPO)).code == 0
    assert files(other) != files(synth)
    result = _in_process("validate", "--root", str(synth))
    assert result.code == 0, result.err
    counts = re.search(r"开展评价 (\d+) 个，未开展 (\d+) 个；已评估 (\d+) 个.*等级：A (\d+)，B (\d+)，C (\d+)，D (\d+)，取消评价资格 (\d+)",
                       result.out, re.S)
    active, inactive, assessed, a, b, c, d, vetoed = map(int, counts.groups())
    assert active + inactive == 120 and inactive > 0 and assessed == active
    assert min(a, b, c, d) > 0 and vetoed > 0


def _build(root: Path, out: Path, **kw):
    layout = Layout.from_args(root=str(root), out=str(out))
    if "templates" in kw:
        layout = dataclasses.replace(layout, templates=kw.pop("templates"))
    return build(layout, **kw)[2]


def test_full_parallel_and_incremental_builds_give_the_same_bytes(synth, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(synth, root)
    serial = _build(root, tmp_path / "serial", workers=1, cache=False)
    parallel = _build(root, tmp_path / "parallel", workers=2, cache=False)
    assert serial.reused == parallel.reused == 0
    assert files(tmp_path / "serial") == files(tmp_path / "parallel")

    warm = _build(root, tmp_path / "inc", workers=2, cache=True)
    assert warm.reused == 0
    unchanged = _build(root, tmp_path / "inc", workers=2, cache=True)
    assert unchanged.reused == unchanged.files - UNCACHED  # every page and data file from the cache
    assert files(tmp_path / "inc") == files(tmp_path / "serial")

    sheet = sorted((root / "scores/2023").glob("[PM]*.yaml"))[0]
    text = sheet.read_text(encoding="utf-8")
    changed = re.sub(r"^  1-01: .*$", "  1-01: {score: 0, reason: 复核改动}", text, count=1, flags=re.M)
    if changed == text:
        changed = re.sub(r"^  1-01: .*$", "  1-01: 1", text, count=1, flags=re.M)
    sheet.write_text(changed, encoding="utf-8")
    incremental = _build(root, tmp_path / "inc", workers=2, cache=True)
    # rendered again: the changed sheet's page, those whose rank moved, and the site-wide pages and data
    assert 0 < incremental.reused < 120
    _build(root, tmp_path / "full", workers=1, cache=False)
    assert files(tmp_path / "inc") == files(tmp_path / "full")


def test_corrupt_cache_is_ignored(synth, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(synth, root)
    _build(root, tmp_path / "out", workers=1, cache=True)
    manifest = root / ".cache/site_builder/manifest.json"
    doc = json.loads(manifest.read_text())
    some = next(iter(doc["entries"]))
    doc["entries"][some][0] = "0" * 64  # an entry edited by hand: the checksum no longer matches
    manifest.write_text(json.dumps(doc))
    stats = _build(root, tmp_path / "out", workers=1, cache=True)
    assert stats.reused == 0
    reference = _build(root, tmp_path / "ref", workers=1, cache=False)
    assert files(tmp_path / "out") == files(tmp_path / "ref") and reference.reused == 0

    # an object changed behind the cache's back (same size, new mtime) is re-rendered, not trusted
    entry = json.loads(manifest.read_text())["entries"]["2023/institutions/M001/index.html"]
    obj = root / ".cache/site_builder/objects" / entry[1][:2] / entry[1][2:]
    os.chmod(obj, 0o644)
    data = obj.read_bytes()
    obj.write_bytes(data.replace("合成".encode(), "伪造".encode(), 1))
    stats = _build(root, tmp_path / "out2", workers=1, cache=True)
    assert stats.reused == stats.files - UNCACHED - 1
    assert files(tmp_path / "out2") == files(tmp_path / "ref")

    (root / ".cache/site_builder/manifest.json").write_text("not json")
    (root / ".cache/site_builder/sheets-2023.marshal").write_bytes(b"garbage")
    stats = _build(root, tmp_path / "out3", workers=1, cache=True)
    assert stats.reused == 0 and files(tmp_path / "out3") == files(tmp_path / "ref")


def test_a_template_change_invalidates_the_cache(synth, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(synth, root)
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    _build(root, tmp_path / "out", workers=1, cache=True, templates=templates)
    again = _build(root, tmp_path / "out", workers=1, cache=True, templates=templates)
    assert again.reused == again.files - UNCACHED
    inst = templates / "institution.html"
    inst.write_text(inst.read_text(encoding="utf-8").replace("返回机构名单", "返回名单"), encoding="utf-8")
    assert _build(root, tmp_path / "out", workers=1, cache=True, templates=templates).reused == 0
    assert "返回名单" in (tmp_path / "out/2023/institutions/P001/index.html").read_text(encoding="utf-8")


def test_build_ends_with_a_one_line_summary_and_no_progress_bar_off_a_terminal(synth, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(synth, root)
    result = _in_process("build", "--root", str(root), "--out", str(tmp_path / "out"))
    assert result.code == 0 and result.err == ""
    last = result.out.splitlines()[-1]
    assert re.fullmatch(r"已生成到 .*：写出 \d+ 个文件，其中 0 页取自缓存，用时 \d+\.\d\d 秒", last), last


def test_a_failure_in_a_background_job_is_a_build_error_not_a_traceback():
    from site_builder.errors import BuildError
    from site_builder.site import Forked

    with pytest.raises(BuildError) as exc:
        Forked(lambda: 1 / 0).result("2023/data/results.xlsx")
    assert str(exc.value) == "生成 2023/data/results.xlsx 失败：division by zero"
    assert Forked(lambda: "好").result("x") == "好".encode("utf-8")
