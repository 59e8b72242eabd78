"""Issue 24, point 1: the one writer never deletes or overwrites a file the tool did not write.

A property over generated file trees: a folder holding (maybe) the tool's own previous output, with
foreign files mixed in (random names and nesting, a tool file changed by a person, a `SHA256SUMS`
in `sha256sum` format listing everything), is given to the writer (`claim_output` + `replace_output`,
the path of build, publish, serve's builds, office and synth). Afterwards every foreign file is
there, byte for byte, and the run either succeeded (only possible when there was nothing foreign)
or was refused naming each foreign file. The tool's own output is always replaceable; a published
file is world-readable whatever the umask. The same for the single-file writer (`replace_file`:
workbook --out, import's sheets).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from site_builder.errors import BuildError
from site_builder.storage.outdir import MARKER
from site_builder.storage.swap import claim_output, replace_output
from site_builder.storage.writer import replace_file

NAME = st.text(alphabet="abXY中文-_. 09", min_size=1, max_size=6).filter(
    lambda n: n not in (".", "..", MARKER, ".gitignore") and not n.startswith(".site-builder")
)
PATH = st.lists(NAME, min_size=1, max_size=3).map("/".join)
FILES = st.dictionaries(PATH, st.binary(max_size=40), max_size=5)


def _consistent(paths: list[str]) -> bool:
    """No path is both a file and a folder of another."""
    names = set(paths)
    return not any("/".join(p.split("/")[:k]) in names for p in paths for k in range(1, p.count("/") + 1))


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _write(folder: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _run(out: Path, files: dict[str, bytes]) -> str | None:
    """The writer replacing `out` with `files`: None when done, else the refusal."""

    def fill(writer):
        for rel, data in files.items():
            writer.write(rel, data)

    try:
        with claim_output(out) as folder:
            replace_output(folder, fill)
    except BuildError as exc:
        return str(exc)
    return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    previous=FILES,
    foreign=FILES,
    changed=st.booleans(),
    sums=st.booleans(),
    new=FILES,
    mask=st.sampled_from([0o022, 0o077, 0o027]),
)
def test_no_foreign_file_is_ever_lost_and_a_refusal_names_each(previous, foreign, changed, sums, new, mask):
    assume(_consistent(list(previous) + list(foreign)) and _consistent(list(new)))
    tmp = Path(tempfile.mkdtemp())
    old_mask = os.umask(mask)
    try:
        out = tmp / "out"
        if previous:
            assert _run(out, previous) is None  # the tool's own output
        else:
            out.mkdir()
        mine = _tree(out)
        theirs = {rel: data for rel, data in foreign.items() if rel not in mine}
        if changed and previous:  # a person edits one of the tool's files
            rel = sorted(previous)[0]
            theirs[rel] = previous[rel] + b" edited"
        _write(out, theirs)
        if sums:  # a sha256sum-style listing of every file: proves nothing
            listing = "".join(
                f"{hashlib.sha256(d).hexdigest()}  {r}\n" for r, d in sorted(_tree(out).items()) if r != MARKER
            )
            theirs["SHA256SUMS"] = listing.encode()
            (out / "SHA256SUMS").write_bytes(theirs["SHA256SUMS"])
        before = _tree(out)
        refused = _run(out, new)
        for rel, data in theirs.items():
            assert (out / rel).read_bytes() == data, rel  # still there, byte for byte
        if theirs:
            assert refused is not None
            for rel in theirs:
                assert rel in refused, (rel, refused)
            assert _tree(out) == before  # nothing written
        else:
            assert refused is None, refused  # the tool's own output (or an empty folder) is replaced
            assert {r: d for r, d in _tree(out).items() if r != MARKER} == new
            for dirpath, _dirs, names in os.walk(out):
                assert stat.S_IMODE(os.stat(dirpath).st_mode) == 0o755
                for name in names:
                    assert stat.S_IMODE(os.stat(os.path.join(dirpath, name)).st_mode) == 0o644
    finally:
        os.umask(old_mask)
        shutil.rmtree(tmp, ignore_errors=True)


@settings(max_examples=60, deadline=None)
@given(
    ours=st.booleans(),
    edited=st.booleans(),
    force=st.booleans(),
    data=st.booleans(),
    name=NAME,
    body=st.binary(max_size=20),
    mode=st.sampled_from([0o600, 0o640, 0o664]),
)
def test_a_single_file_is_replaced_only_when_the_tool_wrote_it_or_with_force(
    ours, edited, force, data, name, body, mode
):
    tmp = Path(tempfile.mkdtemp())
    try:
        record, scores = tmp / "cache", tmp / "scores"
        record.mkdir()
        scores.mkdir()
        target = (scores if data else tmp) / name
        if ours:
            replace_file(target, b"first", {"评分数据目录": scores}, record_dir=record) if not data else None
        if not ours or data or edited:
            target.write_bytes(b"a person's " + body)
        os.chmod(target, mode)
        before = target.read_bytes()
        try:
            replace_file(target, b"second", {"评分数据目录": scores}, force=force, record_dir=record)
            done = True
        except BuildError as exc:
            done = False
            assert str(exc).startswith(f"拒绝写出 {target}：" if data else f"拒绝覆盖 {target}：")
        expected = not data and (force or (ours and not edited))
        assert done == expected
        assert target.read_bytes() == (b"second" if done else before)
        assert stat.S_IMODE(target.stat().st_mode) == mode  # a file keeps its mode
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
