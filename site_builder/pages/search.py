"""Site search in Chinese: a character-bigram index built here, searched in the browser by search.js.

Chinese has no spaces between words, so the index maps every pair of adjacent characters (within a
run of letters and digits; punctuation and spaces split runs) to the documents containing it:
institutions (id and name), indicators (id, text and rule) and the distinct deduction reasons and
veto evidence quoted from the sheets (each with the institutions that lost points for it). A query
of two or more characters is looked up by its bigrams; search.js then keeps the documents that
contain every term of the query as written, so “工程职业” finds 山西工程职业学院 and “应急预案”
the institutions whose reasons mention it.

The index is a JavaScript file that sets one global (`XZ_SEARCH_INDEX`), loaded by a script tag on
the search page: no fetch, so it works from file:// as on the hosted site. Postings are sorted
document numbers written as base-36 gaps, a run of consecutive numbers as `gap.length`. A bigram in
more than an eighth of all documents (and more than 64) narrows nothing; it is kept as 0 (“look at
the texts”), which keeps the index small: search.js checks every candidate's text anyway.
"""

from __future__ import annotations

import json
import unicodedata

from site_builder.common import urls
from site_builder.domain.models import SiteInput, YearReport
from site_builder.pages.specs import PageSpec, base
from site_builder.pages.stats import item_rows

INDEX_FILE = "search-index.js"
GLOBAL = "XZ_SEARCH_INDEX"
FORMAT = 1
STOP_MIN = 64  # a bigram in more documents than this and than an eighth of them all is a stop bigram


def normalize(text: str) -> str:
    """What both sides compare: NFKC (full-width letters and digits to ASCII) and lower case.
    search.js does the same with String.prototype.normalize("NFKC").toLowerCase()."""
    return unicodedata.normalize("NFKC", text).lower()


def _separator(ch: str) -> bool:
    """Punctuation, symbols, spaces and controls split runs (search.js: [\\p{P}\\p{Z}\\p{S}\\p{Cc}])."""
    cat = unicodedata.category(ch)
    return cat[0] in "PZS" or cat == "Cc"


def runs(text: str) -> list[str]:
    """The runs of a normalized text between separators."""
    out: list[str] = []
    cur: list[str] = []
    for ch in normalize(text):
        if _separator(ch):
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        out.append("".join(cur))
    return out


def bigrams(text: str) -> set[str]:
    return {run[i : i + 2] for run in runs(text) for i in range(len(run) - 1)}


def _gaps(numbers: list[int]) -> str:
    """Sorted document numbers as base-36 gaps, runs as gap.length: [3, 10, 11, 12, 20] -> "3,7.3,8"."""
    out, prev, i = [], 0, 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        gap = _b36(numbers[i] - prev)
        out.append(gap if j == i else f"{gap}.{_b36(j - i + 1)}")
        prev, i = numbers[j], j + 1
    return ",".join(out)


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    s = []
    while n:
        n, r = divmod(n, 36)
        s.append(digits[r])
    return "".join(reversed(s))


def build_index(report: YearReport, page: str) -> dict:
    """The index of one year, with links relative to `page` (the search page's output path)."""
    data = report.data
    year = data.year
    outcomes = sorted({r.outcome for r in report.results})
    institutions = [[r.institution.id, r.institution.name, outcomes.index(r.outcome)] for r in report.results]
    indicators = [[i.id, i.text or "", i.rule_text or ""] for i in data.rubric.indicators]
    position = {r.institution.id: n for n, r in enumerate(report.results)}
    reasons: dict[str, set[int]] = {}
    for r in report.results:
        if r.sheet is None:  # not assessed
            continue
        n = position[r.institution.id]
        texts = [row[2] for row in item_rows(r.sheet) if row[2]] + [v.evidence for v in r.sheet.veto]
        for text in texts:
            reasons.setdefault(text, set()).add(n)
    reason_list = sorted(reasons)  # sorted: the same input gives the same bytes
    texts = [f"{i} {name}" for i, name, _ in institutions] + [" ".join(x) for x in indicators] + reason_list
    stop = max(STOP_MIN, len(texts) // 8)
    grams: dict[str, list[int]] = {}
    for doc, text in enumerate(texts):
        for gram in bigrams(text):
            grams.setdefault(gram, []).append(doc)
    return {
        "format": FORMAT,
        "year": year,
        "links": {
            "institution": urls.relative(page, urls.institution(year, "@")),
            "indicator": urls.relative(page, urls.indicator(year, "@")),
        },
        "outcomes": outcomes,
        "institutions": institutions,
        "indicators": indicators,
        "reasons": [[text, _gaps(sorted(reasons[text]))] for text in reason_list],
        "grams": {g: 0 if len(docs) > stop else _gaps(docs) for g, docs in sorted(grams.items())},
    }


def index_js(report: YearReport, page: str) -> str:
    doc = json.dumps(build_index(report, page), ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return f"window.{GLOBAL}={doc};\n"


def index_path(year: int) -> str:
    """The year's index file, beside its search page."""
    return f"{urls.search(year)}{INDEX_FILE}"


def search_page(site: SiteInput, report: YearReport) -> PageSpec:
    """The year's search page, which loads the index (`index_js`, made from the year's rubric and
    results) by a script tag."""
    target = urls.search(report.data.year)
    page = urls.file_of(target)
    context = {**base(site, report, target), "index_file": urls.relative(page, index_path(report.data.year))}
    return PageSpec(page, "search.html", context)
