"""urls.relative is string work (memoised); it must equal posixpath.relpath for every pair of output paths."""

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from site_builder.common import urls

SEGMENT = st.sampled_from(["2023", "2024", "institutions", "P01", "M0001", "roster", "assets", "data", "about"])
FILES = st.sampled_from(["index.html", "site.css", "results.json", "article.html", "feed.xml"])
PAGE = st.builds(lambda parts, f: "/".join([*parts, f]), st.lists(SEGMENT, max_size=4), FILES)
TARGET = st.one_of(
    st.just(""), st.builds(lambda parts: "/".join(parts) + "/", st.lists(SEGMENT, min_size=1, max_size=4)), PAGE
)


@given(PAGE, TARGET)
def test_relative_equals_relpath(page, target):
    start = posixpath.dirname(page) or "."
    assert urls.relative(page, target) == posixpath.relpath(urls.file_of(target), start)


def test_examples():
    assert urls.relative("2023/institutions/P01/index.html", "") == "../../../index.html"
    assert urls.relative("2023/institutions/P01/index.html", "2023/institutions/P02/") == "../P02/index.html"
    assert urls.relative("index.html", "assets/site.css") == "assets/site.css"
    assert urls.relative("2023/index.html", "2023/") == "index.html"
