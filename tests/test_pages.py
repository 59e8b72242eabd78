"""Pages as specs (pages/specs.py), one registry of data files (build/datafiles.py), one URL helper (urls.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.mini import make_mini
from support.project import in_process

from site_builder.build.datafiles import DATA_FILES
from site_builder.build.flow import build
from site_builder.build.layout import Layout
from site_builder.build.validate import load
from site_builder.common import urls
from site_builder.pages import specs as pages
from site_builder.pages import stats
from site_builder.storage import stamp as uptodate
from site_builder.storage.hashes import Fingerprint


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_mini(tmp_path_factory.mktemp("pages") / "mini")
    assert in_process("build", "--root", str(root), "--jobs", "1", "--no-cache").code == 0
    return root


def test_the_year_page_lists_the_registry_of_data_files(built):
    out = built / "output"
    sums = dict(reversed(line.split("  ", 1)) for line in (out / "SHA256SUMS").read_text().splitlines())
    soup = BeautifulSoup((out / "2023/index.html").read_text(encoding="utf-8"), "html.parser")
    items = soup.select("ul.downloads li")
    assert [li.a.get_text() for li in items] == [f.label for f in DATA_FILES]
    for li, data_file in zip(items, DATA_FILES):
        path = data_file.path(2023)
        assert li.a["href"] == urls.relative("2023/index.html", path) == f"data/{data_file.name}"
        assert (out / path).is_file() and li.code.get_text() == f"SHA-256: {sums[path]}"


def test_every_page_is_rendered_from_a_spec(tmp_path, monkeypatch):
    """Every HTML file goes through SiteRenderer.html(PageSpec): a context the cache key is made from."""
    from site_builder.build.generate import SiteRenderer

    root = make_mini(tmp_path / "mini")
    rendered = []
    real = SiteRenderer.html
    monkeypatch.setattr(SiteRenderer, "html", lambda self, spec: rendered.append(spec.rel) or real(self, spec))
    build(Layout.from_args(root=str(root)), workers=1, cache=False)
    built_pages = sorted(
        p.relative_to(root / "output").as_posix()
        for p in (root / "output").rglob("*.html")
        if "/cms/" not in p.as_posix()
    )  # the CMS package: fragments copied from the pages
    assert sorted(rendered) == built_pages
    site = load(Layout.from_args(root=str(root)))
    rep = site.reports[0]
    year_stats = stats.compute(rep)
    specs = [
        *pages.institution_pages(site, rep, year_stats),
        pages.roster_page(site, rep),
        pages.grades_page(site, rep),
        pages.rubric_page(site, rep, year_stats),
        pages.year_page(site, rep, year_stats, []),
        pages.home_page(site),
        *pages.content_pages(site),
        pages.wechat_article(site, rep),
        pages.wechat_preview(site, rep, ""),
    ]
    assert {s.rel for s in specs} <= set(built_pages)


def test_page_contexts_are_pure(built):
    layout = Layout.from_args(root=str(built))
    one, two = load(layout), load(layout)  # two loads: equal values, different objects
    fp1, fp2 = Fingerprint(), Fingerprint()
    specs1 = pages.institution_pages(one, one.reports[0], stats.compute(one.reports[0])) + [pages.home_page(one)]
    specs2 = pages.institution_pages(two, two.reports[0], stats.compute(two.reports[0])) + [pages.home_page(two)]
    assert [fp1(s.context) for s in specs1] == [fp2(s.context) for s in specs2]
    assert len({fp1(s.context) for s in specs1}) == len(specs1)


def test_links_come_from_the_url_helper():
    link = urls.Linker("2023/roster/index.html")
    assert link.institution(2023, "P01") == "../institutions/P01/index.html"
    assert link.year_index(2024) == "../../2024/index.html"
    assert link.home() == "../../index.html" and link.feed() == "../../feed.xml"
    assert link.asset("site.css") == "../../assets/site.css"
    assert (
        urls.absolute("https://x.gov.cn/kh/", urls.institution(2023, "P01"))
        == "https://x.gov.cn/kh/2023/institutions/P01/index.html"
    )
    templates = Path(__file__).resolve().parent.parent / "templates"
    shapes = re.compile(r"url\([^)]*'/(institutions|roster|grades|rubric)/")
    assert not [p.name for p in templates.rglob("*.html") if shapes.search(p.read_text(encoding="utf-8"))]


def test_a_context_the_cache_cannot_hash_is_rendered_every_time(tmp_path, monkeypatch):
    root = make_mini(tmp_path / "mini")
    real = pages.roster_page

    def with_a_lambda(site, report):
        spec = real(site, report)
        return pages.PageSpec(spec.rel, spec.template, {**spec.context, "helper": lambda: 1})

    monkeypatch.setattr(pages, "roster_page", with_a_lambda)
    from site_builder.build.generate import SiteRenderer

    layout = Layout.from_args(root=str(root))
    build(layout, workers=1)
    first = (root / "output/2023/roster/index.html").read_bytes()
    rendered = []
    real_html = SiteRenderer.html
    monkeypatch.setattr(SiteRenderer, "html", lambda self, spec: rendered.append(spec.rel) or real_html(self, spec))
    uptodate.forget(layout.cache)  # a build that runs, though nothing changed (the page cache is tested)
    figures = build(layout, workers=1)[2]
    assert "2023/roster/index.html" in rendered  # rendered again, not taken from the cache
    assert "2023/institutions/P01/index.html" not in rendered and figures.reused > 0
    assert (root / "output/2023/roster/index.html").read_bytes() == first
