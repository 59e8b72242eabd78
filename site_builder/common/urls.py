"""Where every output lives and how pages link to each other: the one place for URL shapes.

Targets are posix paths from the output root; one ending in '/' is a folder, whose file is its
index.html. Python (the build, the feed, the WeChat article) and the templates (through `Linker`,
the `url` they receive) use these functions, so a page moves in one place.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

HOME = ""
FEED = "feed.xml"
CHECKSUMS = "SHA256SUMS"


def asset(name: str) -> str:
    return f"assets/{name}"


def year_index(year: int) -> str:
    return f"{year}/"


def _year_folder(name: str) -> Callable[[int], str]:
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


def final_article(year: int) -> str:
    return f"{year}/wechat/final.html"


def final_preview(year: int) -> str:
    return f"{year}/wechat/final/"


def content_page(slug: str) -> str:
    return f"{slug}/"


def file_of(target: str) -> str:
    """The file a target names: a folder's index.html."""
    return target + "index.html" if target.endswith("/") or target == "" else target


@lru_cache(maxsize=65536)
def relative(from_page: str, target: str) -> str:
    """Relative URL from one output file to a target (links point at files, so file:// works).
    Both are paths inside the output, so this is string work only (no working directory)."""
    target, hash_mark, fragment = target.partition("#")  # a fragment (a row of a page) is kept as it is
    here = posixpath.dirname(from_page).split("/") if "/" in from_page else []
    there = file_of(target).split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:]) + hash_mark + fragment


def absolute(base_url: str, target: str) -> str:
    """Absolute URL under the site's base_url (the feed, the WeChat article's plain-text address)."""
    return base_url + file_of(target)


def home() -> str:
    return HOME


def feed() -> str:
    return FEED


def checksums() -> str:
    return CHECKSUMS


def indicator_anchor(indicator_id: str) -> str:
    """The id of an indicator's row (and entry) on its year's rubric page."""
    return f"item-{indicator_id}"


def indicator(year: int, indicator_id: str) -> str:
    """An indicator's row on the rubric page (评估标准, 评估要求及相应分值, 分值)."""
    return f"{rubric(year)}#{indicator_anchor(indicator_id)}"


SHAPES = {
    f.__name__: f
    for f in (
        home,
        feed,
        checksums,
        asset,
        year_index,
        roster,
        grades,
        rubric,
        indicator,
        institution,
        search,
        data_file,
        wechat_article,
        wechat_preview,
        final_article,
        final_preview,
        content_page,
    )
}
"""The URL shapes the templates may ask `url` for by name; a new one is a function above and an entry here."""


@dataclass(frozen=True)
class Linker:
    """The templates' `url`: `url('feed.xml')`, or by shape: `url.institution(year, id)`, `url.home()`."""

    page: str  # the output file the links are written into

    def __call__(self, target: str) -> str:
        return relative(self.page, target)

    def __getattr__(self, name: str) -> Callable[..., str]:
        """`url.home()`, `url.feed()`, `url.institution(year, id)`…: a shape above, made relative to
        the page. The shapes are listed once (`SHAPES`), not mirrored here method by method."""
        shape = SHAPES.get(name)
        if shape is None:
            raise AttributeError(name)
        page = self.page

        def link(*args: Any) -> str:
            return relative(page, shape(*args))

        object.__setattr__(self, name, link)  # found directly next time (a page asks for the same shapes often)
        return link
