"""The mini fixture's whole build against the stored expected output.

After an intended change to templates, rubric or rendering, regenerate and review the diff:

    REGENERATE_EXPECTED=1 python -m pytest tests/test_site_expected.py
    git diff tests/expected/
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from support.mini import make_mini
from support.project import in_process

EXPECTED = Path(__file__).resolve().parent / "expected" / "mini"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_build_matches_expected_output(tmp_path):
    root = make_mini(tmp_path / "mini")
    result = in_process("build", "--root", str(root))
    assert result.code == 0, result.err
    built = _files(root / "output")
    if os.environ.get("REGENERATE_EXPECTED") == "1":
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(root / "output", EXPECTED)
    expected = _files(EXPECTED)
    assert sorted(built) == sorted(expected), "files differ; regenerate with REGENERATE_EXPECTED=1 if intended"
    changed = [rel for rel in built if built[rel] != expected[rel]]
    assert not changed, f"changed: {changed}; regenerate with REGENERATE_EXPECTED=1 if intended"
