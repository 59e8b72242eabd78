"""The grade bands as readers read them: a decimal total such as 89.75 belongs to exactly one band,
so every band is written with both of its bounds in words that leave no doubt (以下 in Chinese rules
includes the number itself, so 70分至90分以下 would claim 90 too), and the announcement states the
bands from the rubric rather than typing them again."""

from __future__ import annotations

from decimal import Decimal

from bs4 import BeautifulSoup
from support.project import REPO, Project
from support.yamlfiles import load_yaml


def _bands() -> list[dict]:
    return load_yaml((REPO / "rubric" / "2023.yaml").read_text(encoding="utf-8"))["grades"]


def _num(value) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def test_each_band_names_both_of_its_bounds_without_ambiguity() -> None:
    bands = _bands()
    for upper, band in zip([None, *bands], bands, strict=False):
        label = band["label"]
        assert "以下" not in label and "-" not in label, label
        if band["min"]:
            assert f"{_num(band['min'])}分及以上" in label, label
        if upper is not None:
            assert f"不足{_num(upper['min'])}分" in label, label


def test_the_announcement_states_the_bands_from_the_rubric(project: Project) -> None:
    result = project.cli("build", "--no-cache")
    assert result.code == 0, result.err
    listed = "、".join(f"{b['grade']}（{b['label']}）" for b in _bands())
    page = (project.root / "output" / "2023" / "index.html").read_text(encoding="utf-8")
    text = BeautifulSoup(page, "html.parser").get_text("")
    assert f"考核结果分为四个等级：{listed}。" in text
    for path in (project.root / "output").rglob("*"):
        if path.suffix in (".html", ".xml", ".txt", ".json"):
            assert "{{等级划分}}" not in path.read_text(encoding="utf-8"), path
