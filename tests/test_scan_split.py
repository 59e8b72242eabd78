"""The privacy scan split (issue 27): the processes that render the institution pages scan each page as
they write it (`privacy.FileScan`), and `privacy.check_published` reads only the other files and every
path. It must find exactly what the scan of the whole staging folder finds, with the same messages
(input file, line, field, the published files listed).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.project import copy_project, in_process

from site_builder.errors import DataError
from site_builder.publish import privacy
from site_builder.publish.privacy import FileScan, Scanner, check_published

CONTACTS = (("0350-3020718",), ("xzsjdZX@163.com",))
SCANNER = Scanner(*CONTACTS)

mobile = st.tuples(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9)).map(
    lambda t: "1" + t[0] + t[1]
)
# Bits of markup, numbers and separators: pieces that end inside a tag, lines that start inside one,
# digits split by tags, entities, %-escapes, addresses.
bit = st.one_of(
    st.sampled_from(
        [
            "<span",
            "<b>",
            "</b>",
            ' class="a">',
            '">',
            "<td>",
            "</td",
            "<a href='",
            "&#49;",
            "%31",
            "%40",
            "\\u0031",
            "@",
            "x@qq.com",
            "Zhang@QQ.com",
            "zhang@qq.com",
            " ",
            "-",
            "\n",
            "联系",
            "0350-3020718",
            "2023-05-01",
            "138",
            "1234",
            "5678",
            "1",
        ]
    ),
    mobile,
    st.text("0123456789 -<>", max_size=12),
)
piece = st.lists(bit, max_size=8).map("".join)


def _plain(hits: privacy.Hits) -> dict[tuple[str, str], tuple[str, frozenset[str]]]:
    return {key: (f.masked, frozenset(pieces)) for key, (f, pieces) in hits.items()}


@settings(max_examples=400, deadline=None)
@given(st.lists(piece, min_size=1, max_size=6, unique=True), st.randoms(use_true_random=False))
# joined, "1<span\0 class="a">13000000000" was read as one piece: the page holding the number not named
@example(["1<span", ' class="a">13000000000'], random.Random(0))
@example(["Zhang@QQ.com", "zhang@qq.com"], random.Random(0))  # one address in two cases: one masked form
def test_the_pieces_of_a_site_are_read_alone_whatever_their_order(pieces, rnd):
    """`_scan_pieces` joins a whole site's pieces in a set's order: what it finds is the union of what
    each piece alone gives, in any order (before the split, a number could be read across two pieces
    that a set happened to put side by side)."""
    alone: privacy.Hits = {}
    for p in pieces:
        privacy._merge(alone, privacy._scan_pieces(SCANNER, {p}))
    shuffled = list(pieces)
    rnd.shuffle(shuffled)
    for order in (pieces, shuffled, shuffled[::-1]):
        assert _plain(privacy._scan_pieces(SCANNER, order)) == _plain(alone)  # type: ignore[arg-type]


# --- a staging folder: the whole-folder scan against the split one -----------------------------------
PAGE_FORMS = [
    lambda t: f"<p>联系<b>{t}</b>，谢谢</p>\n",
    lambda t: "<p>联系\n" + t.replace("5", "5\n", 1) + "\n谢谢</p>\n",
    lambda t: f"<td>{t[:3]}</td>\n<td>{t[3:]}</td>\n",
    lambda t: f'<p><span title="{t}">x</span></p>\n',
    lambda t: f"<li><strong>{t[:4]}</strong>\n{t[4:]}</li>\n",
]


@st.composite
def site(draw):
    """Pages (some with a number or an address, some sharing one or a piece), data files, and which
    pages a worker scanned (which of two, in the order drawn)."""
    numbers = draw(
        st.lists(st.one_of(mobile, st.sampled_from(["x@qq.com", "Zhang@QQ.com", "zhang@qq.com"])), max_size=3)
    )
    pages = {}
    for n in range(draw(st.integers(1, 6))):
        body = f"<html>\n<body>\n<h1>机构 P{n:02d}</h1>\n"
        for _ in range(draw(st.integers(0, 3))):
            text = draw(st.sampled_from(numbers)) if numbers and draw(st.booleans()) else draw(piece)
            body += draw(st.sampled_from(PAGE_FORMS))(text)
        pages[f"2023/institutions/P{n:02d}/index.html"] = body + "</body>\n</html>\n"
    reasons = [draw(st.sampled_from(numbers)) if numbers and draw(st.booleans()) else draw(piece) for _ in range(2)]
    others = {
        "2023/data/results.json": json.dumps({"reasons": reasons}, ensure_ascii=False),
        "2023/data/results.csv": "机构,原因\n" + "".join(f'P01,"{r}"\n' for r in reasons),
        "index.html": "<html>\n<p>" + draw(piece) + "</p>\n</html>\n",
    }
    split = draw(st.lists(st.tuples(st.sampled_from(sorted(pages)), st.integers(0, 1)), unique_by=lambda t: t[0]))
    source = "reason: " + (numbers[0] if numbers else "无") + "\n"
    return pages, others, split, source


def _outcome(run) -> list[str] | None:
    try:
        run()
    except DataError as exc:
        return [str(p) for p in exc.problems]
    return None


SAME = "<html>\n<p>联系<b>13812345678</b>，谢谢</p>\n</html>\n"  # a line two pages share


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(site())
@example(({"a/index.html": SAME, "b/index.html": SAME}, {}, [("a/index.html", 0), ("b/index.html", 0)], "x: 1\n"))
def test_pages_scanned_as_written_give_exactly_the_whole_folder_scan(tmp_path_factory, drawn):
    pages, others, split, source = drawn
    base = tmp_path_factory.mktemp("split")
    staging = base / "staging"
    for rel, text in {**pages, **others}.items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text(text, encoding="utf-8")
    (base / "scores").mkdir()
    (base / "scores/P01.yaml").write_text(source, encoding="utf-8")
    sources = [base / "scores"]
    workers = [FileScan(Scanner(*CONTACTS)) for _ in range(2)]  # each its own, over several pages
    scanned = {rel: workers[n].scan(rel, (staging / rel).read_bytes()) for rel, n in split}
    for rel, hits in scanned.items():  # a page's findings, whatever the worker read before it
        alone = FileScan(Scanner(*CONTACTS)).scan(rel, (staging / rel).read_bytes())
        assert hits is not None and alone is not None and _plain(hits) == _plain(alone)
    whole = _outcome(lambda: check_published(staging, CONTACTS, sources, base))
    parts = _outcome(lambda: check_published(staging, CONTACTS, sources, base, scanned))  # type: ignore[arg-type]
    assert parts == whole


def test_a_zip_package_is_left_to_the_whole_folder_scan():
    assert FileScan(SCANNER).scan("2023/data/results.xlsx", b"PK\x03\x04") is None
    assert FileScan(SCANNER).scan("2023/x.html", b"\xff\xfe 13812345678") == {}  # not UTF-8: no text, as read


# --- the build: a number only the institution pages carry ---------------------------------------------
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_number_only_on_the_institution_pages_stops_the_build(tmp_path, jobs):
    """The institution template (code, not data: no input check reads it) writes a mobile number on
    every institution page, which only the workers' scan reads: the build stops naming the template's
    line and the pages."""
    project = copy_project(tmp_path / "p")
    template = project.read("templates/institution.html")
    assert "{% block main %}" in template
    project.write(
        "templates/institution.html", template.replace("{% block main %}", "{% block main %}138-1234-5678", 1)
    )
    out = tmp_path / "out"
    result = in_process("build", "--root", str(project.root), "--out", str(out), "--no-cache", "--jobs", jobs)
    assert result.code == 1, result.err
    assert "templates/institution.html:" in result.err, result.err
    assert "含手机号码 138****5678，会发布在 2023/institutions/" in result.err, result.err
    assert "13812345678" not in result.err and "138-1234-5678" not in result.err
    assert not Path(out).exists()


POSSESSIVE = {"_CANDIDATE": privacy._CANDIDATE, "_LOCATE": privacy._LOCATE, "_DENSE": privacy._DENSE}
"""The scan's patterns written with possessive quantifiers (`*+`, `?+`, for speed)."""


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(bit, st.sampled_from(["1", "23", "4567", " ", "-", ".", "\x00", "<", ">", "a", "中"])), max_size=40
    )
)
def test_the_possessive_patterns_match_as_their_backtracking_twins(bits):
    """Each possessive pattern finds what the same pattern without `+` finds, from every position
    (`_scan_pieces` searches on from a piece's end): giving nothing back loses no match."""
    text = "".join(bits)
    for name, pattern in POSSESSIVE.items():
        assert "*+" in pattern.pattern and "?+" in pattern.pattern, name
        twin = re.compile(pattern.pattern.replace("*+", "*").replace("?+", "?"), pattern.flags)
        for start in range(len(text) + 1):
            found, expected = pattern.search(text, start), twin.search(text, start)
            assert (found and found.span()) == (expected and expected.span()), (name, start)


# Numbers as the patterns find them and almost: digits in groups, the separators and brackets a
# number is written with, a keyword, an '@' and the letters around an address, other text.
number_bit = st.one_of(
    st.text("0123456789", min_size=1, max_size=8),
    st.sampled_from(["1", "13", "138", "0351", "(", ")", "（", "）", "-", " ", "  ", ".", "_", "/", "X", "x"]),
    st.sampled_from(["电话", "座机：", "传真:", "Tel", "TEL ", "@", " @ ", "a", "b.cn", "中", "，", "\x00", "+86"]),
)


@settings(max_examples=600, deadline=None)
@given(st.lists(number_bit, max_size=30))
@example(["(", "0351", ")", "-", "2345678"])  # a landline: two characters between two of its digits
@example(["a", "@", "b.cn"])
def test_the_patterns_a_text_is_not_read_for_find_nothing_in_it(bits):
    """`Scanner._spans` reads a text only for the patterns that can match in it (`privacy._patterns_for`:
    a number pattern needs a run of ten digits, an address an '@'): what it finds is what all the
    patterns find."""
    text = privacy._normalise("".join(bits))
    found = Scanner()._spans(text)
    chosen = privacy._patterns_for
    try:
        privacy._patterns_for = lambda _text: privacy._PATTERNS
        assert Scanner()._spans(text) == found
    finally:
        privacy._patterns_for = chosen


def test_a_checksum_in_groups_with_word_breaks_is_one_code():
    """The CMS announcement writes an attachment's SHA-256 in groups of 16 with <wbr> between them: a
    reader sees one hash, not a group of 16 digits that passes the Luhn check (found by a local random
    run: synth --seed 345, refused as a bank card). A number written across word breaks is still read."""
    digest = "4111111111111111" + "ab" * 24  # 64 hexadecimal digits; the first group a valid card number
    groups = "<wbr>".join(digest[i : i + 16] for i in range(0, 64, 16))
    assert privacy._scan_pieces(Scanner(), {f"<td>{groups}</td"}) == {}
    found = privacy._scan_pieces(Scanner(), {"<td>138<wbr>1234<WBR/>5678</td"})
    assert [f.masked for f, _pieces in found.values()] == ["138****5678"]


def test_the_sites_own_codes_are_not_read_only_where_one_stands_alone():
    """`Scanner(codes=…)` (the ledger heads, `privacy.site_codes`): a code standing alone is not a
    number; the same digits inside a longer number are still read with it."""
    plain, coded = Scanner(), Scanner(codes=("035123456789", "198001011238"))
    text = "校验码：<code>035123456789</code>（第 1 次发布）"
    assert [f.masked for f in plain.find(privacy.published_text(text))] == ["035*****6789"]
    assert coded.find(privacy.published_text(text)) == []
    assert [f.kind for f in coded.find("身份证140902198001011238")] == ["居民身份证号"]
    assert [f.masked for f in coded.find("电话 0351-2345678")] == ["035****5678"]
