"""A published year's ledger deleted, or replaced by a shorter or another chain, never lets
`build --publish` start a new history, whatever --out says: every evidence of an earlier publication
the tool can check is compared with the repo's ledger (`record/previous.check_history`): the output
folder, the default output/, and the ledger of the project's last git commit (attack report, point 8)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from support.ledger import FIRST, set_item, write_corrections
from support.mini import approved_mini
from support.project import in_process

LEDGER = "scores/2023/ledger.json"
RESTORE = f"已发布的记录不能丢失或改写；请从版本库恢复 {LEDGER}（git checkout -- {LEDGER}）"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def build(root: Path, *args: str):
    return in_process("build", "--root", str(root), "--jobs", "1", *args)


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.email=a@b", "-c", "user.name=a", *args], check=True, capture_output=True
    )


@pytest.fixture
def published(tmp_path) -> Path:
    root = approved_mini(tmp_path)
    assert build(root, "--publish").code == 0
    return root


def _rewrite_history(root: Path) -> None:
    """What the attacker did: a published score changed with no correction, the ledger deleted."""
    set_item(root, "P01", "1-02", 1)
    (root / LEDGER).unlink()


def test_a_deleted_ledger_is_refused_whatever_out_while_the_default_output_holds_the_publication(published, tmp_path):
    root = published
    _rewrite_history(root)
    result = build(root, "--publish", "--out", str(tmp_path / "out2"))
    assert (result.code, result.err) == (
        1,
        "错误：数据有 1 处问题，未写出任何文件：\n"
        f"  {LEDGER}: 发布记录不见了，但上一次发布的网站（output/2023/data/ledger.json）已有 1 次发布；{RESTORE}\n",
    )
    assert not (tmp_path / "out2").exists() and not (root / LEDGER).exists()


@needs_git
def test_a_deleted_ledger_is_refused_by_the_committed_one_with_every_output_gone(published, tmp_path):
    root = published
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "pub1")
    _rewrite_history(root)
    shutil.rmtree(root / "output")
    result = build(root, "--publish", "--out", str(tmp_path / "out2"))
    assert (result.code, result.err) == (
        1,
        "错误：数据有 1 处问题，未写出任何文件：\n"
        f"  {LEDGER}: 发布记录不见了，但版本库最近一次提交（git HEAD）已有 1 次发布；{RESTORE}\n",
    )
    assert not (tmp_path / "out2").exists() and not (root / LEDGER).exists()
    git(root, "checkout", "--", LEDGER)  # the way out the message names (and the sheet put back)
    git(root, "checkout", "--", "scores/2023/P01.yaml")
    assert build(root, "--publish", "--out", str(tmp_path / "out2")).code == 0


@needs_git
def test_another_or_a_shorter_chain_is_refused_by_the_committed_one(published, tmp_path):
    root = published
    other = tmp_path / "other"  # the same project published afresh elsewhere: another chain
    shutil.copytree(root, other)
    _rewrite_history(other)
    shutil.rmtree(other / "output")
    assert build(other, "--publish").code == 0
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "pub1")
    first = (root / LEDGER).read_bytes()
    shutil.rmtree(root / "output")
    shutil.rmtree(root / "scores/2023")  # the other history whole: consistent in itself
    shutil.copytree(other / "scores/2023", root / "scores/2023")
    result = build(root, "--publish", "--out", str(tmp_path / "out2"))
    theirs, mine = ledger_head(first), ledger_head((other / LEDGER).read_bytes())
    assert (result.code, result.err) == (
        1,
        "错误：数据有 1 处问题，未写出任何文件：\n"
        f"  {LEDGER}: 发布记录的第 1 次发布（校验码 {mine}）与版本库最近一次提交（git HEAD，校验码 {theirs}）不同；"
        f"{RESTORE}\n",
    )
    git(root, "checkout", "--", "scores")
    set_item(root, "P01", "1-02", 1)
    write_corrections(root, FIRST)
    assert build(root, "--publish").code == 0  # a correction: the ledger has 2 entries
    git(root, "add", "-A")
    git(root, "commit", "-qm", "pub2")
    shutil.rmtree(root / "output")
    (root / LEDGER).write_bytes(first)  # the record as it was before the correction
    result = build(root, "--publish", "--out", str(tmp_path / "out2"))
    assert (result.code, result.err) == (
        1,
        "错误：数据有 1 处问题，未写出任何文件：\n"
        f"  {LEDGER}: 发布记录只有 1 次发布，少于版本库最近一次提交（git HEAD）所示的 2 次；{RESTORE}\n",
    )
    assert not (tmp_path / "out2").exists()


def ledger_head(raw: bytes) -> str:
    return json.loads(raw)["entries"][0]["hash"][:12]


def test_without_git_or_a_work_tree_nothing_is_required(published, tmp_path):
    """No git work tree (or no git): the committed ledger is not evidence, and nothing fails for it."""
    root = published
    assert not (root / ".git").exists()
    assert build(root, "--out", str(tmp_path / "out3")).code == 0
