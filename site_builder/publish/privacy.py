"""Privacy scan before publishing (政务公开: 去标识化): personal information in any free text that can
reach a page, the feed, the article or the open data is refused, naming file, institution and field.

Scanned: 扣分原因 and 自评扣分原因, veto evidence, corrections and objections, the status approver,
roster names and counties, Markdown pages and announcements (body and front matter).
Found: 18-digit 居民身份证号 (check digit, birth date and area code verified with python-stdnum),
15-digit ones (first-generation cards: area code and birth date), mobile numbers, e-mail addresses
and landline numbers other than the contacts configured in content/site.yaml, and bank card numbers
(16-19 digits passing the Luhn check). Dates, scores, indicator numbers, ids and 文号 are not
numbers of these kinds, so they pass. Texts are scanned after NFKC (full-width digits and ＠), with a
space, '-' or '.' allowed between the digit groups of a number, and for a mobile number or an 18-digit
ID any one character that is not a letter or a digit between any two digits, letters touching it
(`_MOBILE`, `_ID18`). While site.yaml cannot be read, the
contacts are unknown: phones and e-mails on the Markdown pages are then not judged.

Also checks the roster's `code` (统一社会信用代码: check character, unique within a year), the one
identifier of an institution that is published.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path
from urllib.parse import unquote

from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from site_builder.domain.models import Sheet
from site_builder.errors import Problems
from site_builder.storage.outdir import MARKER
from site_builder.storage.records import item_column

HINT = "请去标识化，如 138****1234，或删去"
# The kinds a configured contact (content/site.yaml `contact`) can be.
CONTACT_KINDS = frozenset({"手机号码", "电话号码", "电子邮箱"})

_EDGE_L = r"(?<![0-9A-Za-z])"
_EDGE_R = r"(?![0-9A-Za-z])"
# Between the digit groups of a number people write a space, '-' or '.' (a full-width space or dash is
# one of these after NFKC, see _normalise): 140902 19800101 1238, 138-1234-5678.
_SEP = r"[-. ]?"
# A mobile number and an 18-digit ID are found whatever is written between any two of their digits:
# one character that is neither a letter nor a digit (any punctuation, symbol, space, mark or control,
# a line break; a run of spaces or a dash with spaces around it is one after `_normalise`), and
# whatever touches them but a digit (letters too: Tel13812345678); a number may follow another after a
# separator (ID，mobile). `_CUT` (a boundary between cells, fields, values and attributes) is never
# between.
_CUT = "\x00"
_J = r"(?:[^\w\x00]|_)"
_NO_DIGIT_BEFORE = r"(?<!\d)"
_NO_DIGIT_AFTER = r"(?!\d)"
_J_ = _J + "?"
_MOBILE = re.compile(
    _NO_DIGIT_BEFORE
    + r"(?:\+?(?:0" + _J_ + "0" + _J_ + ")?8" + _J_ + "6" + _J_ + ")?"  # +86, 0086
    + "1" + _J_ + "[3-9]" + (_J_ + r"\d") * 9
    + _NO_DIGIT_AFTER
)  # fmt: skip
_ID18 = re.compile(_NO_DIGIT_BEFORE + "[1-8]" + (_J_ + r"\d") * 16 + _J_ + "[0-9Xx]" + _NO_DIGIT_AFTER)
# Order matters: an earlier kind claims its characters, so an ID number is not also a bank card.
# An 18-digit ID has its province, birth date and check digit to keep dates and scores out. A 15-digit
# one has no check digit, so only its own groups (area, birth date, order) may be split.
_PATTERNS = (
    ("居民身份证号", _ID18),
    ("居民身份证号", re.compile(_EDGE_L + r"\d{6}([-. ]?)\d{6}\1\d{3}" + _EDGE_R)),
    ("银行卡号", re.compile(_EDGE_L + r"(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)" + _EDGE_R)),
    ("电子邮箱", re.compile(r"[A-Za-z0-9._%+-]+ ?@ ?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("手机号码", _MOBILE),
    ("电话号码", re.compile(r"(?<![0-9A-Za-z*])(?:[(（]0\d{2,3}[)）]|0\d{2,3})" + _SEP + r"[2-9]\d{6,7}" + _EDGE_R)),
    ("电话号码", re.compile(r"(?:电话|座机|传真|[Tt][Ee][Ll])[:：]?\s*([2-9]\d{6,7})" + _EDGE_R)),
)
# What a text needs for a pattern to match (`_patterns_for`), so that most texts are read by few:
# every number pattern but the one after 电话 needs ten digits with at most two characters between any
# two of them (a landline's "(0351) 1234567"; a mobile number, an ID or a card has at most one), and an
# e-mail address its '@' (＠ and ﹫ are '@' after `_normalise`).
_NUMBER_RUN = re.compile(r"\d(?:\D?\D?\d){9}")
_EMAIL = "电子邮箱"
_KEYWORD_PHONE = _PATTERNS[-1][1]  # 电话：1234567, its number without an area code


@cache
def _selection(run: bool, at: bool) -> tuple[tuple[str, re.Pattern], ...]:
    return tuple(
        (kind, pattern) for kind, pattern in _PATTERNS if (at if kind == _EMAIL else run or pattern is _KEYWORD_PHONE)
    )


def _patterns_for(text: str) -> tuple[tuple[str, re.Pattern], ...]:
    """The patterns that can match in `text` (normalised), in `_PATTERNS`' order: a text without a run
    of digits (`_NUMBER_RUN`) is not read for the number patterns that need one, nor one without an
    '@' for an e-mail address. A test checks, on generated texts, that the findings are those of all
    the patterns."""
    return _selection(_NUMBER_RUN.search(text) is not None, "@" in text)


# A run of 18 or more ASCII letters and digits: a code, not a number, when it is a hash (32 or more
# hexadecimal digits: SHA-256 in SHA256SUMS and the ledger) or a 统一社会信用代码 with a letter before
# its check character (91140900MA0K2B3C46; an all-digit one is still read, as an ID number could be
# one). Its digits are not read as a mobile number or an ID.
_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18,}(?![0-9A-Za-z])")
_HEX = re.compile(r"[0-9a-fA-F]{32,}")


def _code(m: re.Match) -> str:
    token = m.group()
    if _HEX.fullmatch(token) or (len(token) == 18 and not token[:17].isdigit() and _is_credit_code(token)):
        return _CUT * len(token)
    return token


def _is_credit_code(token: str) -> bool:
    """A 统一社会信用代码 as GB 32100-2015 builds it: python-stdnum's check (8 digits, the alphabet, the
    check character), and its characters 3–8 an administrative division (GB/T 2260: a province's, or
    100000 for the whole country). stdnum's check alone let `0086` + a mobile number + three letters
    pass now and then (1 in 31), and the number went unread."""
    return uscc.is_valid(token) and (int(token[2:4]) in _PROVINCES or token[2:8] == "100000")  # 8 digits


# Every finding has an '@' (or a full-width or small one), three digits (any script's) in a row, or
# eleven digits with spaces and at most one other character between any two: most texts are passed over
# on this alone.
_MAYBE = re.compile(r"[@＠﹫]|\d\d\d|\d(?:\s*[^\d\s\x00]?\s*\d){10}")
_DIGIT = re.compile(r"\d")
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")  # another script's digit
_BETWEEN_DIGITS = re.compile(r"(?<=\d)\s+(?=[\dXx])")  # X: an ID's check character
# Up to five characters between two digits that are not letters or digits (an underscore is a mark
# here, as in `_J`): one separator (`_separator`) with spaces around it is written '-', another mark
# with spaces around it the mark alone; anything else is left as it is.
_GAP = re.compile(r"(?<=\d)(" + _J + r"{1,5})(?=[\dXx])")
_WIDE_GAP = re.compile(r"\d" + _J + r"{2,5}\d")
# A letter between two digits that is a modifier letter (Lm: the prolonged sound mark ー, ˉ) is read
# as a separator: it is one in looks.
_LETTER_BETWEEN = re.compile(r"(?<=\d)[^\W\d_](?=[\dXx])")


@cache
def _separator(char: str) -> bool:
    """Whether people use a character between the digit groups of a number, decided by Unicode's
    properties, not by a list: any dash (category Pd: hyphen, en dash, em dash, U+2010, wave dash…),
    any minus or slash (a punctuation or symbol whose name ends in MINUS, MINUS SIGN, SOLIDUS or
    SLASH: U+2212, U+2044, U+2215, '/'…), any space (Z*) and any invisible format character (Cf)."""
    category = unicodedata.category(char)
    if category == "Pd" or category[0] == "Z" or category == "Cf":
        return True
    name = unicodedata.name(char, "")
    return category[0] in "PS" and name.endswith(("MINUS", "MINUS SIGN", "SOLIDUS", "SLASH")) and "REVERSE" not in name


# Characters outside ASCII's first part, the CJK ideographs and punctuation and the full-width forms:
# the only ones that can be "other numbers" (category No; a test checks every code point).
_UNCOMMON = re.compile(r"[^\x00-\xb1\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _numbering(m: re.Match) -> str:
    return " " if unicodedata.category(m.group()) == "No" else m.group()


def _gap(m: re.Match) -> str:
    """A gap between two digits with one mark and spaces: '-' when the mark is a separator (`_separator`,
    so that the digit groups of a card or a landline number are read), else the mark alone (one
    character, as the mobile and ID patterns read it)."""
    gap = m.group(1)
    marks = [c for c in gap if not (c.isspace() or unicodedata.category(c)[0] == "Z")]
    if len(marks) != 1:
        return gap
    return "-" if _separator(marks[0]) else marks[0]


def _modifier(m: re.Match) -> str:
    return "-" if unicodedata.category(m.group()) == "Lm" else m.group()


def _normalise(text: str) -> str:
    """Text as scanned: NFKC (full-width digits, letters, ＠ and spaces become ASCII ones), every
    script's decimal digits as ASCII ones, a modifier letter between two digits '-', a separator between
    two digits (`_separator`, spaces around it too) '-', any other mark with spaces around it the mark
    alone, and a run of spaces between two digits one space. A numbering sign (①, ⑴, ²: Unicode's other numbers) is a
    space first, or ①13812345678 would be 113812345678."""
    if not text.isascii():
        text = _UNCOMMON.sub(_numbering, text)
        text = unicodedata.normalize("NFKC", text)
        if _OTHER_DIGIT.search(text):
            text = _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group(), 0)), text)
        text = _LETTER_BETWEEN.sub(_modifier, text)
        text = _GAP.sub(_gap, text)
    elif "/" in text or _WIDE_GAP.search(text):
        text = _GAP.sub(_gap, text)
    return _BETWEEN_DIGITS.sub(" ", text)


@dataclass(frozen=True)
class Finding:
    kind: str  # 居民身份证号 | 手机号码 | 电子邮箱 | 电话号码 | 银行卡号
    masked: str  # shown in the message; the full value is never echoed
    value: str = field(default="", compare=False, repr=False)  # the number's digits: to find its source


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# The provinces' two-digit codes (GB/T 2260): the first two digits of every 居民身份证号.
_PROVINCES = {
    11,
    12,
    13,
    14,
    15,
    21,
    22,
    23,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    41,
    42,
    43,
    44,
    45,
    46,
    50,
    51,
    52,
    53,
    54,
    61,
    62,
    63,
    64,
    65,
    71,
    81,
    82,
}


def _id_date_ok(number: str) -> bool:
    try:
        born = ric.get_birth_date(number)
    except ValidationError:
        return False
    return born.year >= 1900


def _is_id18(number: str) -> bool:
    """Province code, birth date and check digit (python-stdnum's). Not stdnum's county-by-birth-year
    lookup: a card keeps the county code of where it was issued, so that check would miss real ones."""
    number = number.upper()
    return int(number[:2]) in _PROVINCES and _id_date_ok(number) and number[-1] == ric.calc_check_digit(number)


def _is_id15(number: str) -> bool:
    """A first-generation card: province and county, the birth date as YYMMDD (19YY), an order code;
    no check digit."""
    return int(number[:2]) in _PROVINCES and _id_date_ok(number[:6] + "19" + number[6:] + "0")


def _compact(kind: str, value: str) -> str:
    """A found value without its separators (an ID keeps its check character X)."""
    if kind == "电子邮箱":
        return value.replace(" ", "")
    if kind == "居民身份证号":
        return re.sub(r"[^0-9Xx]", "", value).upper()
    return value


def _compact_key(kind: str, value: str) -> str:
    """A found value as compared between an output and the inputs: digits (an ID's X), an address."""
    if kind == "电子邮箱":
        return value.lower()
    digits = value.upper() if kind == "居民身份证号" else _digits(value)
    return _national(digits) if kind == "手机号码" else digits


def _national(digits: str) -> str:
    """A mobile number's 11 digits, without +86 or 0086."""
    return digits[-11:] if len(digits) in (13, 15) and digits[-11] == "1" else digits


def _mask(kind: str, value: str) -> str:
    if kind == "电子邮箱":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = value if kind == "居民身份证号" else _digits(value)
    if kind == "手机号码":
        digits = _national(digits)  # +86, 0086
    return digits[:3] + "*" * max(len(digits) - 7, 4) + digits[-4:]


class Scanner:
    """Finds personal information in text; the configured contacts are allowed, and the site's own
    codes (`codes`: the ledger heads every page shows, 12 hexadecimal digits that are now and then all
    decimal ones, 035123456789, the shape of a landline number) are not read where one stands alone."""

    def __init__(self, phones: tuple[str, ...] = (), emails: tuple[str, ...] = (), codes: tuple[str, ...] = ()):
        self.phones = {d for d in (_digits(_normalise(p)) for p in phones) if d}
        self.emails = {e.lower() for e in (_normalise(e).strip() for e in emails) if e}
        alone = "|".join(sorted(re.escape(c) for c in set(codes) if c))
        self._codes = re.compile(f"(?<![0-9A-Za-z])(?:{alone})(?![0-9A-Za-z])") if alone else None
        self._seen: dict[str, list[Finding]] = {}  # reasons repeat: each distinct text scanned once

    def _allowed_phone(self, digits: str) -> bool:
        return any(digits == p or p.endswith(digits) and len(digits) >= 7 for p in self.phones)

    def find(self, text: str) -> list[Finding]:
        if not text or not _MAYBE.search(text):
            return []
        if text not in self._seen:
            self._seen[text] = self._find(text)
        return self._seen[text]

    def _find(self, text: str) -> list[Finding]:
        return [f for _start, _end, f in self._spans(_normalise(text))]

    def redact(self, text: str) -> str:
        """The text with every finding masked: a path or a line a message may quote."""
        normal = _normalise(text)
        spans = self._spans(normal)
        if not spans:
            return text
        out = normal if len(normal) != len(text) else text
        for start, end, f in reversed(spans):
            out = out[:start] + f.masked + out[end:]
        return out

    def _spans(self, text: str) -> list[tuple[int, int, Finding]]:
        found: list[tuple[int, int, Finding]] = []
        taken: list[tuple[int, int]] = []
        # hashes and 统一社会信用代码 cut out for the patterns letters may touch (same length: positions kept)
        if self._codes is not None:  # the site's own codes cut out (same length: positions kept)
            text = self._codes.sub(lambda m: _CUT * len(m.group()), text)
        coded = _TOKEN.sub(_code, text) if len(text) >= 18 else text
        for kind, pattern in _patterns_for(text):
            for m in pattern.finditer(coded if pattern is _ID18 or pattern is _MOBILE else text):
                group = 1 if kind == "电话号码" and pattern.groups else 0
                start, end, value = m.start(group), m.end(group), _compact(kind, m.group(group))
                if any(start < b and a < end for a, b in taken):
                    continue
                if not self._matches(kind, pattern, value):
                    continue
                taken.append((start, end))
                found.append((start, end, Finding(kind, _mask(kind, value), _compact_key(kind, value))))
        return sorted(found, key=lambda p: p[0])

    def _matches(self, kind: str, pattern: re.Pattern, value: str) -> bool:
        if kind == "居民身份证号":
            return _is_id18(value) if len(value) == 18 else _is_id15(value)
        if kind == "银行卡号":
            digits = _digits(value)
            return 16 <= len(digits) <= 19 and luhn.is_valid(digits)
        if kind == "电子邮箱":
            return value.lower() not in self.emails
        if kind in ("手机号码", "电话号码"):
            digits = _digits(value)
            return not self._allowed_phone(_national(digits) if kind == "手机号码" else digits)
        return True


def _markup_text(markup: str) -> str:
    """Rendered Markdown as scanned: read as the published scan reads a page (`published_text` of the
    parts between its boundary tags, each attribute apart: a mailto: link, a %-escaped href)."""
    return _CUT.join(published_text(part) for part in _BOUNDARY.split(markup))


def check_site(years, config, pages, announcements, content_dir: Path, rel, problems: Problems) -> None:
    """Everything that can be published, scanned; every finding a problem (file, institution, field).
    Also the roster codes. Called from `build.validate.load`, after everything has been read."""
    scanner = Scanner(*site_contacts(config))

    def scan(
        file: str,
        field: str,
        text: str | None,
        institution: str | None = None,
        indicator: str | None = None,
        skip: frozenset[str] = frozenset(),
    ) -> None:
        for f in dict.fromkeys(scanner.find(text)) if text else ():
            if f.kind in skip:
                continue
            problems.add(file, f"{field}含{f.kind} {f.masked}：{HINT}", institution=institution, indicator=indicator)

    for year in years:
        roster = year.roster
        for inst in roster.institutions:
            scan(roster.path, "机构名称", inst.name, inst.id)
            scan(roster.path, "所在县（市、区）", inst.county, inst.id)
        check_roster_codes(roster, problems)
        scan(year.status.path, "审定单位 approved_by", year.status.approved_by)
        for sheet in year.sheets:
            for indicator, reason, self_reason in _suspect_texts(sheet):
                if reason:
                    scan(sheet.path, "扣分原因", reason, sheet.institution, indicator)
                if self_reason:
                    scan(sheet.path, "自评扣分原因", self_reason, sheet.institution, indicator)
            for veto in sheet.veto:
                scan(sheet.path, "否决项证据", veto.evidence, sheet.institution, veto.indicator)
        corrections_file = posixpath.join(posixpath.dirname(roster.path), "corrections.yaml")
        for c in year.corrections:
            scan(corrections_file, f"第 {c.number} 条更正的原因 reason", c.reason, c.institution)
            scan(corrections_file, f"第 {c.number} 条更正的审定单位 approved_by", c.approved_by, c.institution)
        for o in getattr(year, "objections", ()):  # published with their handling (objections.yaml)
            scan(o.path, f"第 {o.number} 条异议的事项 subject", o.subject, o.institution)
            scan(o.path, f"第 {o.number} 条异议的答复 reply", o.reply, o.institution)
    # The pages give the bureau's contacts (contact.md, accessibility.md): when site.yaml could not be
    # read (its problem is reported), they are unknown, so phones and e-mails on pages are not judged.
    skip = frozenset() if config is not None else CONTACT_KINDS
    documents = [(rel(content_dir / "pages" / f"{p.slug}.md"), p) for p in pages]
    documents += [(rel(content_dir / str(y) / "announcement.md"), p) for y, p in sorted(announcements.items())]
    for file, page in documents:
        for key, value in sorted(page.meta.items()):
            if isinstance(value, str):
                scan(file, f"页面设置 {key}", value, skip=skip)
        scan(file, "正文", _markup_text(str(page.html)), skip=skip)


def _suspect_texts(sheet: Sheet) -> list[tuple[str, str | None, str | None]]:
    """(indicator, reason, self-assessment reason) of the items, or none at all when no reason of the
    sheet has a number or an '@' (most sheets: one look at all of them joined).

    The reasons are read as columns (`records.item_column`), so that the scan does not build every
    item of every sheet read from the sheet cache on each build, nor loop over them in Python."""
    reasons, self_reasons = item_column(sheet.items, "reason"), item_column(sheet.items, "self_reason")
    if not _MAYBE.search("\n".join(t for t in chain(reasons, self_reasons) if t)):
        return []
    return list(zip(item_column(sheet.items, "indicator"), reasons, self_reasons))


def check_roster_codes(roster, problems: Problems) -> None:
    """`code`, where given, is a valid 统一社会信用代码 (GB 32100-2015: 18 characters, the last a check
    character) and names one institution only."""
    seen: dict[str, str] = {}
    why: str | None
    for inst in roster.institutions:
        code = inst.code
        if code is None:
            continue
        try:
            if uscc.validate(code) != code:  # GB 32100-2015's length, characters and check character
                raise InvalidFormat()  # stdnum accepts spaces, dashes and lower case; the roster does not
        except InvalidLength:
            why = f"应为 18 位，实为 {len(code)} 位"
        except InvalidChecksum:
            why = "末位校验码不符，可能有字符录错"
        except ValidationError:
            why = "格式不符（前 8 位为数字，其余为数字或除 I、O、Z、S、V 外的大写字母，不含空格）"
        else:
            why = None
        if why:
            problems.add(
                roster.path,
                f"code（统一社会信用代码）{code} 无效：{why}；请按登记证书核对，不知道时写 null",
                institution=inst.id,
            )
        elif code in seen:
            problems.add(
                roster.path,
                f"code（统一社会信用代码）{code} 与机构 {seen[code]} 相同；每个机构的代码应各不相同",
                institution=inst.id,
            )
        else:
            seen[code] = inst.id


# --- The scan of what is published -------------------------------------------------------------
# `check_published` reads every file of the staging folder just before the swap (`swap.Staging`'s
# `before_swap`), so that nothing any input or template brings into the site escapes it.

ZIPPED = frozenset({".xlsx", ".docx", ".zip", ".odt", ".ods"})
"""Zip packages: their XML members are scanned."""
_MARKUP = frozenset({".html", ".htm", ".xhtml", ".xml", ".svg"})
# A text worth reading: three digits (any script's) in a row, eleven with spaces, tags and at most one
# other character between any two (never `_CUT`), an '@', an entity, a %-escaped digit or '@', an escaped character.
# The shortest finding but an e-mail address (电话:2345678) is 9 characters; a shorter text is passed
# over unless it has an '@'.
SHORTEST = 9
_AT = re.compile(r"[@＠﹫]")
# Possessive (`*+`, `?+`): spaces and tags, then at most one other character, then a digit, can be
# read only one way, so nothing is given back; trying every split at each of a site's digits was most
# of the scan's time. `test_scan_split.py` checks each pattern against its backtracking twin.
_FILL = r"(?:\s|<[^<>]*>)*+"  # spaces and tags (in markup, a tag inside a line of text joins)
_DIGITS = r"\d\d\d|\d(?:" + _FILL + r"[^\d\s\x00<]?+" + _FILL + r"\d){10}"
_FILL_IN_PIECE = r"(?:\s|<[^<>\x00]*>)*+"  # `_FILL` within one piece of those `_scan_pieces` joins
_DIGITS_IN_PIECE = r"\d\d\d|\d(?:" + _FILL_IN_PIECE + r"[^\d\s\x00<]?+" + _FILL_IN_PIECE + r"\d){10}"
_CANDIDATE = re.compile(_DIGITS + r"|[@＠﹫]|&#|%3\d|%40|\\u")
# `_CANDIDATE` where the pieces of a whole site are joined by `_CUT` (`_scan_pieces`): a tag inside a
# match never holds a `_CUT`, so that no match runs from one piece into the next and each piece is read
# alone, whatever piece it is joined after (a set's order): the scan of a site is the union of its
# files' scans (`FileScan` in the processes that render the pages).
_LOCATE = re.compile(_DIGITS_IN_PIECE + r"|[@＠﹫]|&#|%3\d|%40|\\u")
_DENSE = re.compile(_DIGITS + r"|[@＠﹫]")
WINDOW = 100
_TAG = re.compile(r"<[^<>]*>")
# A word-break opportunity shows as nothing: the text on either side of it is one word, as a reader
# sees it (a checksum written in groups with <wbr> between them is one hash, a code, not four numbers).
_WORD_BREAK = re.compile(r"<wbr\s*/?>", re.I)
_ATTRIBUTE = re.compile(r"""=\s*["']([^"'<>]*)""")
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")
# The tags inside a line of text join what is around them (a reader sees 138<b>1234</b>5678 as one
# number): HTML's phrasing content and Office Open XML's runs (w:r, w:t; a run's properties, rPr, hold
# no text and are dropped first). Every other tag (a paragraph, a cell, a row, a list item, a heading, a
# feed's field, a shared string) is a boundary no number is read across, as are CSV fields, JSON values
# and the lines of a plain text file.
_PHRASING = (
    "a|abbr|b|bdi|bdo|br|cite|code|data|del|dfn|em|font|i|ins|kbd|mark|q|rp|rt|ruby|s|samp|small|span|"
    "strong|sub|sup|time|tt|u|var|wbr|r|t"
)
_BOUNDARY = re.compile(r"(<(?!/?(?:[\w.-]+:)?(?:" + _PHRASING + r")[\s/>])[^<>]*>)", re.I)  # split: tags kept
_RUN_PROPERTIES = re.compile(r"<(\w+:)?rPr\b[^<>]*?(?:/>|>.*?</\1?rPr>)", re.S)
# A JSON string that is a list of two or more codes joined by ',' with no space (the search
# index's posting lists "3,7.3,8", packed scores "1.5,3.7,3.4", a score and a date "1.31,2000-01-01"
# that would otherwise read as 131 2000 0101): machine data, read as a list. (A number typed so into
# a text is found where the text is read: inputs are scanned when loaded.)
_PACKED = re.compile(r"[0-9A-Za-z.-]+(?:,[0-9A-Za-z.-]+)+")
_CONTINUED = re.compile(r">\n(?=\s*[^\s<]?\d)")
_ASSIGNED = re.compile(r"\s*(?:var |let |const )?[\w.$]+\s*=\s*")


def published_text(segment: str) -> str:
    """A part of a published file (`_scan_pieces`) as a reader or a crawler gets it: the text of its
    markup (a tag inside a line is a space: `138<b>1234</b>5678` shows as 138 1234 5678; a <wbr> is
    nothing, `_WORD_BREAK`) and then each of its attributes' values apart, entities resolved,
    \\u-escapes decoded; with %-escapes, both as written and decoded (a '%' between digits is a
    separator, %31%33%38 a number). A NUL from the content, decoded or not, is a space: only the scan's
    own boundaries are `_CUT`."""
    if _CUT in segment:
        segment = segment.replace(_CUT, " ")
    if "<" in segment:
        values = _ATTRIBUTE.findall(segment)
        segment = _TAG.sub(" ", _WORD_BREAK.sub("", segment))
        if values:
            segment += _CUT + _CUT.join(values)
    if "&" in segment:
        segment = html.unescape(segment)
    if "\\u" in segment:
        segment = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)).replace(_CUT, " "), segment)
    if "%" in segment:
        decoded = _PERCENT.sub(lambda m: unquote(m.group(), errors="replace").replace(_CUT, " "), segment)
        if decoded != segment:
            segment += _CUT + decoded
    return segment


def _json_values(data: object, out: list[str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            out.append(key)
            _json_values(value, out)
    elif isinstance(data, list):
        for value in data:
            _json_values(value, out)
    elif isinstance(data, str):
        if "," in data and _PACKED.fullmatch(data):
            out.extend(data.split(","))  # a list written as a string: its items apart
        else:
            out.append(data.replace(_CUT, " ") if _CUT in data else data)  # "\u0000": a space
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        out.append(str(data))


def _pieces(name: str, text: str) -> list[str]:
    """A published file's text in the pieces no number is read across: for markup, the text between
    two line breaks that follow a tag (a text's own line breaks stay in it; `_scan_pieces` cuts a piece
    at its boundary tags); each value and key of JSON (a number too; also the JSON a script assigns);
    each field of CSV; each line of anything else. Cheap: string splits, so that a whole site's pieces
    can be told apart and each distinct one read once."""
    suffix = posixpath.splitext(name)[1].lower()
    if suffix in _MARKUP:
        if "rPr" in text:
            text = _RUN_PROPERTIES.sub("", text)
        # a line that goes on with a digit after a tag (`<b>138</b>` ⏎ `12345678`) stays with the line before
        text = _CONTINUED.sub("> ", text)
        return text.split(">\n")  # each piece but the last lost its '>': `_scan_pieces` puts it back
    if suffix in (".json", ".js", ".csv"):
        try:
            if suffix == ".csv":
                return [f for row in csv.reader(io.StringIO(text)) for f in row]
            assigned = _ASSIGNED.match(text) if suffix == ".js" else None
            data = json.loads(text[assigned.end() :].rstrip().rstrip(";") if assigned else text)
        except (ValueError, csv.Error):
            pass  # not JSON (a script): its lines
        else:
            values: list[str] = []
            _json_values(data, values)
            return values
    return text.splitlines()


def _find_around(scanner: Scanner, text: str) -> list[Finding]:
    """`scanner.find` on a long text only around its candidates (digits, an '@'), windows of 100
    characters either side merged: every finding is shorter than that, and a text of digits is still
    read whole."""
    if len(text) <= 400:
        return scanner.find(text)
    found: list[Finding] = []
    start = end = -1
    for m in _DENSE.finditer(text):
        if m.start() - WINDOW > end:
            if end > start:
                found += scanner.find(text[start:end])
            start = max(0, m.start() - WINDOW)
        end = m.end() + WINDOW
    if end > start:
        found += scanner.find(text[start:end])
    return found


def _file_texts(path: Path) -> list[tuple[str, str]]:
    """The texts of a published file, each with the name its kind is told by: its UTF-8 text, or its
    members' (a zip package); none when it is neither (an image)."""
    try:
        if path.suffix.lower() in ZIPPED:
            with zipfile.ZipFile(path) as package:
                names = [
                    n
                    for n in package.namelist()
                    if n.endswith((".xml", ".txt", ".html")) and not n.startswith(("xl/worksheets/", "xl/styles"))
                ]  # a worksheet holds numbers and references; its texts are in sharedStrings.xml
                return [(n, package.read(n).decode("utf-8", "replace")) for n in names]
        return _plain_texts(path.name, path.read_bytes())
    except (UnicodeDecodeError, zipfile.BadZipFile, OSError):
        return []


def _plain_texts(name: str, data: bytes) -> list[tuple[str, str]]:
    """`_file_texts` of a file that is not a zip package, from its bytes (raises UnicodeDecodeError)."""
    text = data.decode("utf-8-sig")
    return [(name, text.replace(_CUT, " ") if _CUT in text else text)]  # a NUL: a space


Hits = dict[tuple[str, str], tuple[Finding, set[str]]]
"""(kind, value) -> (the finding, the pieces it is in): what `_scan_pieces` finds."""


class FileScan:
    """The findings in the text of each published file (not in its path), exactly as `check_published`
    finds them in it: a process that writes pages scans each one on the way (`build.generate`), and
    `check_published` is given the results instead of reading the files again. As in the scan of a
    whole folder, each distinct piece (`_pieces`) is read once: a page's pieces read for an earlier
    page are not read again (their findings are kept)."""

    def __init__(self, scanner: Scanner):
        self.scanner = scanner
        self._read: set[str] = set()  # every piece read so far
        self._found: dict[str, Hits] = {}  # the pieces with a finding: their own

    def scan(self, rel: str, data: bytes) -> Hits | None:
        """The findings in `data`, the bytes of published file `rel`. None for a zip package (read with
        the whole folder). A file that is not UTF-8 has no text, as in `_file_texts`."""
        name = posixpath.basename(rel)
        if posixpath.splitext(name)[1].lower() in ZIPPED:
            return None
        try:
            texts = _plain_texts(name, data)  # no NUL left: a piece is what `_scan_pieces` reads as one
        except UnicodeDecodeError:
            return {}
        pieces: set[str] = set()
        for member, text in texts:
            pieces.update(_pieces(member, text))
        new = pieces - self._read
        if new:
            self._read |= new
            for key, (f, pieces_with) in _scan_pieces(self.scanner, new).items():
                for piece in pieces_with:
                    self._found.setdefault(piece, {})[key] = (f, {piece})
        hits: Hits = {}
        for piece in pieces.intersection(self._found) if self._found else ():
            _merge(hits, self._found[piece])
        return hits


def _merge(hits: Hits, more: Hits) -> None:
    """`more` added to `hits`: the pieces of a finding joined; of two findings of the same (kind, value)
    (an e-mail address written in other cases) the one whose masked form sorts first, whichever was read
    first."""
    for key, (f, pieces_with) in more.items():
        if key not in hits:
            hits[key] = (f, set(pieces_with))
            continue
        kept, known = hits[key]
        known |= pieces_with
        if f.masked < kept.masked:
            hits[key] = (f, known)


def _scan_pieces(scanner: Scanner, pieces: set[str]) -> Hits:
    """Every finding in `pieces`, with the pieces it is in. Only a piece with a candidate is read: cut at
    its boundary tags (`_BOUNDARY`), each part as a reader gets it (`published_text`)."""
    joined = "\0".join(pieces)
    hits: Hits = {}
    m = _LOCATE.search(joined)
    while m:
        start = joined.rfind("\0", 0, m.start()) + 1
        end = joined.find("\0", m.end())
        end = len(joined) if end < 0 else end
        piece = joined[start:end]
        if end - start < SHORTEST and not _AT.search(piece):  # a score, a date, an id: nothing to find
            m = _LOCATE.search(joined, end)
            continue
        parts = _BOUNDARY.split(piece + ">") if "<" in piece else [piece]
        for n, part in enumerate(parts):
            # a boundary tag (odd places) has only its attributes to read
            if len(parts) > 1 and (n % 2 and "=" not in part or not _CANDIDATE.search(part)):
                continue
            for f in _find_around(scanner, published_text(part)):
                _merge(hits, {(f.kind, f.value): (f, {piece})})
        m = _LOCATE.search(joined, end)
    return hits


Contacts = tuple[tuple[str, ...], tuple[str, ...]]
"""The phones and e-mail addresses a `Scanner` allows."""


def site_codes(ledgers) -> tuple[str, ...]:
    """The site's own codes a `Scanner` does not read as numbers: each year's ledger head (`ledgers`:
    year -> Ledger, the heads the pages show)."""
    return tuple(sorted({ledger.head for ledger in ledgers.values() if ledger.head}))


def site_contacts(config) -> Contacts:
    """The contacts content/site.yaml configures (`config.contact`): allowed where they are published.
    None (content/site.yaml unreadable, its problem named by its reader): none allowed."""
    contact = getattr(config, "contact", None)
    return ((contact.phone,), (contact.email,)) if contact else ((), ())


def check_published(
    staging: Path,
    contacts: Contacts,
    sources: list[Path],
    root: Path,
    scanned: Mapping[str, Hits] | None = None,
    codes: tuple[str, ...] = (),
):
    """Every text file and every path in `staging` scanned; a finding raises DataError naming the input
    file, line and field it comes from (found by searching `sources`, the data, content and template
    folders, for the same number), never the number itself. The findings are reported in the order of
    (kind, value).

    Fast on a whole site: each file is cut into its pieces (`_pieces`; no number is read across a table
    cell, a CSV field or a JSON value), each distinct piece is read once, and only those with digits,
    an '@' or an escape are normalised and scanned. `scanned` holds the findings of files already
    scanned as they were written (`FileScan`, by relative path, for exactly the bytes in `staging`):
    their text is not read again, their paths are."""
    scanned = scanned or {}
    scanner = Scanner(*contacts, codes=codes)
    files: list[tuple[str, Path | None]] = []  # (published path, file to read; None: a folder)
    pieces: set[str] = set()
    for folder, dirs, names in os.walk(staging):
        dirs.sort()
        for name in sorted(names) + dirs:
            rel = os.path.relpath(os.path.join(folder, name), staging).replace(os.sep, "/")
            if rel == MARKER:
                continue  # the tool's manifest of what it wrote (storage/outdir.py): not published
            pieces.add(rel)  # every path: a page's name becomes its address
            path = Path(folder, name) if name in names else None
            files.append((rel, path))
            if path is not None and rel not in scanned:
                for member, text in _file_texts(path):
                    pieces.update(_pieces(member, text))
    hits = _scan_pieces(scanner, pieces)
    for rel, _path in files:
        if rel in scanned:
            _merge(hits, scanned[rel])
    if not hits:
        return
    problems = Problems()
    origins = _origins(scanner, {key for key in hits}, sources, root)
    for key, (f, pieces_with) in sorted(hits.items(), key=lambda item: item[0]):
        outputs = []
        for rel, path in files:
            if rel in pieces_with or (
                path is not None and any(not pieces_with.isdisjoint(_pieces(m, t)) for m, t in _file_texts(path))
            ):
                outputs.append(rel)
        outputs.sort()
        where = "、".join(scanner.redact(o) for o in outputs[:3])
        if len(outputs) > 3:
            where += f" 等 {len(outputs)} 个文件"
        found = origins.get(key)
        if found:
            for file, number, field_name in found:
                problems.add(
                    scanner.redact(file),
                    f"{field_name}含{f.kind} {f.masked}，会发布在 {where}：{HINT}",
                    line=number,
                )
        else:
            problems.add(
                f"生成的 {where}",
                f"含{f.kind} {f.masked}，在数据、页面和模板中找不到它原样写出的位置（可能被拆开书写）：{HINT}",
            )
    problems.raise_if_any()


_KEY = re.compile(r"(?:^|[{,\s])-?\s*([A-Za-z_][\w-]*)\s*:(?:\s|$)")


def _origins(
    scanner: Scanner, wanted: set[tuple[str, str]], sources: list[Path], root: Path
) -> dict[tuple[str, str], list[tuple[str, int | None, str]]]:
    """Where each wanted (kind, value) is written in the inputs: (file, line, field) — a YAML line's key,
    the front matter or body of a page, or the file's name."""
    found: dict[tuple[str, str], list[tuple[str, int | None, str]]] = {}

    def note(f: Finding, place: tuple[str, int | None, str]) -> None:
        key = (f.kind, f.value)
        if key in wanted and place not in found.setdefault(key, []):
            found[key].append(place)

    for folder in sources:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            try:
                rel = path.relative_to(root).as_posix()
            except ValueError:
                rel = path.as_posix()
            for f in scanner.find(published_text(path.name)):
                note(f, (rel, None, "文件名"))
            if not path.is_file():
                continue
            page = path.suffix == ".md"
            for _member, text in _file_texts(path):
                lines = text.splitlines()
                # a page's front matter: the lines between its first two '---'
                front = lines.index("---", 1) if page and lines[:1] == ["---"] and "---" in lines[1:] else 0
                for number, line in enumerate(lines, 1):
                    if not _CANDIDATE.search(line):
                        continue
                    for f in _find_around(scanner, published_text(line)):
                        at = line.find(f.value[:3])  # the key written last before the number
                        keys = [k for k in _KEY.finditer(line) if at < 0 or k.start() < at]
                        key = keys[-1] if keys else None
                        if page and number > front:
                            field_name = "正文"
                        elif key:
                            field_name = f"页面设置 {key.group(1)} " if page else f"字段 {key.group(1)} "
                        else:
                            field_name = ""
                        note(f, (rel, number, field_name))
    return {k: v for k, v in found.items() if v}
