"""Where every output lives and how pages link to each other: the one place for URL shapes.

Targets are posix paths from the output root; one ending in '/' is a folder, whose file is its
index.html. Python (the build, the feed, the WeChat article) and the templates (through `Linker`,
the `url` they receive) use these functions, so a page moves in one place.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

HOME = ""
FEED = "feed.xml"
CHECKSUMS = "SHA256SUMS"


def asset(name: str) -> str:
    return f"assets/{name}"


def year_index(year: int) -> str:
    return f"{year}/"


def roster(year: int) -> str:
    return f"{year}/roster/"


def grades(year: int) -> str:
    return f"{year}/grades/"


def rubric(year: int) -> str:
    return f"{year}/rubric/"


def institution(year: int, institution_id: str) -> str:
    return f"{year}/institutions/{institution_id}/"


def search(year: int) -> str:
    return f"{year}/search/"


def data_file(year: int, name: str) -> str:
    return f"{year}/data/{name}"


def wechat_article(year: int) -> str:
    return f"{year}/wechat/article.html"


def wechat_preview(year: int) -> str:
    return f"{year}/wechat/"


def content_page(slug: str) -> str:
    return f"{slug}/"


def file_of(target: str) -> str:
    """The file a target names: a folder's index.html."""
    return target + "index.html" if target.endswith("/") or target == "" else target


def relative(from_page: str, target: str) -> str:
    """Relative URL from one output file to a target (links point at files, so file:// works)."""
    start = posixpath.dirname(from_page) or "."
    return posixpath.relpath(file_of(target), start)


def absolute(base_url: str, target: str) -> str:
    """Absolute URL under the site's base_url (the feed, the WeChat article's plain-text address)."""
    return base_url + file_of(target)


@dataclass(frozen=True)
class Linker:
    """The templates' `url`: `url('feed.xml')`, or by shape: `url.institution(year, id)`."""

    page: str  # the output file the links are written into

    def __call__(self, target: str) -> str:
        return relative(self.page, target)

    def home(self) -> str:
        return self(HOME)

    def feed(self) -> str:
        return self(FEED)

    def checksums(self) -> str:
        return self(CHECKSUMS)

    def year_index(self, year: int) -> str:
        return self(year_index(year))

    def roster(self, year: int) -> str:
        return self(roster(year))

    def grades(self, year: int) -> str:
        return self(grades(year))

    def rubric(self, year: int) -> str:
        return self(rubric(year))

    def institution(self, year: int, institution_id: str) -> str:
        return self(institution(year, institution_id))

    def search(self, year: int) -> str:
        return self(search(year))

    def data_file(self, year: int, name: str) -> str:
        return self(data_file(year, name))

    def content_page(self, slug: str) -> str:
        return self(content_page(slug))

    def asset(self, name: str) -> str:
        return self(asset(name))
