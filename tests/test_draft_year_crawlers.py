"""A draft year is kept out of crawlers and the sitemap without hiding the published years (issue 24,
point 8, its crawler half). Chokepoint: `publish/crawl.py` (`unfinished_years`, used by both files)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from support.ledger import add_2024
from support.mini import approved_mini
from support.project import in_process as _in_process

BASE = "https://results.example.gov.cn/kh/"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_a_draft_year_beside_an_approved_one(tmp_path):
    root = approved_mini(tmp_path)
    add_2024(root)
    (root / "scores/2024/status.yaml").write_text("status: draft\n", encoding="utf-8")
    result = _in_process("build", "--root", str(root), "--jobs", "1")
    assert result.code == 0, result.err
    assert (root / "output/robots.txt").read_text(encoding="utf-8") == (
        "# 示例数据或草稿（2024 年度），这些年度禁止搜索引擎收录。\n"
        "User-agent: *\n"
        "Disallow: /kh/2024/\n"
        "Allow: /kh/\n"
        "\n"
        f"Sitemap: {BASE}sitemap.xml\n"
    )
    locs = [u.findtext("s:loc", namespaces=NS) for u in ET.parse(root / "output/sitemap.xml").getroot()]
    assert f"{BASE}2023/index.html" in locs or f"{BASE}2023/" in locs
    assert not any(loc.startswith(f"{BASE}2024/") for loc in locs)
    assert any(loc.startswith(f"{BASE}2023/institutions/") for loc in locs)
