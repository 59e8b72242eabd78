"""A plain `build` into the folder holding the official publication replaces it with a preview: the
build goes on (it is the everyday preview command) and says so on its last line, so that the clerk
does not upload it (attack report, point 9; `record/previous.publications_in`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.ledger import add_2024
from support.mini import approved_mini
from support.project import in_process


def build(root: Path, *args: str):
    return in_process("build", "--root", str(root), "--jobs", "1", *args)


def warning(root: Path, which: str = "2023 年度第 1 次发布") -> str:
    return (
        f"注意：{root / 'output'} 原来是正式发布的网站（{which}），现已被这次预览生成替换，不再是正式版本，"
        "不要上传它；上传前请先运行 build --publish"
    )


@pytest.fixture
def published(tmp_path) -> Path:
    root = approved_mini(tmp_path)
    assert build(root, "--publish").code == 0
    return root


def test_a_preview_replacing_the_publication_says_so(published):
    root = published
    add_2024(root)  # a draft year: the home page and the shared files change
    result = build(root)
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == warning(root)
    assert verify_fails(root)
    result = build(root)  # the output is a preview already: nothing more to say
    assert result.code == 0 and "注意：" not in result.out
    result = build(root, "--publish")
    assert result.code == 0 and "注意：" not in result.out


def test_a_preview_that_leaves_the_publication_as_it_was_says_nothing(published, tmp_path):
    root = published
    for args in [(), ("--no-cache",), ("--out", str(tmp_path / "elsewhere"))]:
        result = build(root, *args)
        assert result.code == 0, result.err
        assert "注意：" not in result.out
    assert in_process("verify", str(root / "output"), "--root", str(root)).code == 0


def verify_fails(root: Path) -> bool:
    return in_process("verify", str(root / "output"), "--root", str(root)).code == 1
