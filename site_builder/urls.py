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


def _year_folder(name: str):
    """The shape of a year's page that is a folder of its own: <year>/<name>/."""
    def shape(year: int) -> str:
        return f"{year}/{name}/"
    shape.__name__ = shape.__qualname__ = name
    return shape


roster = _year_folder("roster")
grades = _year_folder("grades")
rubric = _year_folder("rubric")
search = _year_folder("search")
wechat_preview = _year_folder("wechat")


def institution(year: int, institution_id: str) -> str:
    return f"{year}/institutions/{institution_id}/"


def data_file(year: int, name: str) -> str:
    return f"{year}/data/{name}"


def wechat_article(year: int) -> str:
    return f"{year}/wechat/article.html"


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

    def __getattr__(self, name: str):
        """`url.home()`, `url.feed()`, `url.institution(year, id)`…: a shape above, made relative to
        the page. The shapes are listed once (`SHAPES`), not mirrored here method by method."""
        shape = SHAPES.get(name)
        if shape is None:
            raise AttributeError(name)
        return lambda *args: self(shape(*args))


SHAPES = {
    "home": lambda: HOME, "feed": lambda: FEED, "checksums": lambda: CHECKSUMS,
    "asset": asset, "year_index": year_index, "roster": roster, "grades": grades, "rubric": rubric,
    "institution": institution, "search": search, "data_file": data_file, "content_page": content_page,
}
"""What templates may ask `url` for, by name."""
