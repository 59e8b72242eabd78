"""The one date policy: the order the data model implies between its dates, written down once, as data.

Every reader that compares two dates asks `ORDER` through `out_of_order` (scores/<year>/status.yaml,
the sheets, objections.yaml, corrections.yaml and the ledger's first publication), and
`build --publish` asks `future` whether a date is later than the day it is given: the CLI passes
`date.today()`, the one place the clock is read; tests pass a fixed day.

The order (a → b: a on or before b; a ⇒ b: a strictly before b):

    assessed_from → assessed_on (every sheet) → assessed_to → published_on   (the announcement's period)
    assessed_on (every sheet) → approved_on → published_on ⇒ objection_deadline → final_on
    published_on ⇒ rectify_by
    published_on → received_on (an objection; after objection_deadline it is 逾期受理, allowed)
                 → decided_on → final_on
    received_on → decided_on → the date of the correction an upheld objection cites → final_on
    published_on (the first publication) → the date of a new correction
    the last publication (the ledger's last entry) → the date of a new correction

A correction that no objection cites may come after `final_on` (an error found later is still
corrected, in the open); one an upheld objection cites is part of the 公示 and comes before it.

Content carries dates too: the announcement's `assessed_from`, `assessed_to` and `published_at`, and
any page's `published_at` (`content_dates`); `--publish` refuses them later than today like the data's.
No date of a year's data or announcement is before 1 January of that year, and no page's date
before 2000 (`too_early`): a 1970 or 1999 typed by mistake is refused, by `validate` already.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from site_builder.domain.corrections import CORRECTIONS_FILE
from site_builder.domain.models import YearData

FIELDS: dict[str, str] = {
    "assessed_on": "评估日期",
    "approved_on": "审定日期",
    "published_on": "公示日期",
    "objection_deadline": "异议截止日期",
    "rectify_by": "整改期限",
    "received_on": "受理日期",
    "decided_on": "办结日期",
    "correction": "更正日期",
    "publication": "上一次发布的日期",
    "cited_correction": "所引更正的日期",
    "final_on": "最终结果确定日期",
    "assessed_from": "考核期开始日期",
    "assessed_to": "考核期结束日期",
    "published_at": "发布时间",
}
"""Every date of the data model, by the name its file gives it, with its Chinese label."""


@dataclass(frozen=True)
class Rule:
    earlier: str
    later: str
    strict: bool = False  # later must be strictly after earlier

    def holds(self, earlier: dt.date, later: dt.date) -> bool:
        return earlier < later if self.strict else earlier <= later


ORDER: tuple[Rule, ...] = (
    Rule("assessed_from", "assessed_to"),
    Rule("assessed_from", "assessed_on"),
    Rule("assessed_on", "assessed_to"),
    Rule("assessed_to", "published_on"),
    Rule("assessed_on", "approved_on"),
    Rule("assessed_on", "published_on"),
    Rule("approved_on", "published_on"),
    Rule("published_on", "objection_deadline", strict=True),
    Rule("published_on", "rectify_by", strict=True),
    Rule("objection_deadline", "final_on"),
    Rule("published_on", "received_on"),
    Rule("received_on", "decided_on"),
    Rule("decided_on", "final_on"),
    Rule("received_on", "cited_correction"),
    Rule("decided_on", "cited_correction"),
    Rule("cited_correction", "final_on"),
    Rule("published_on", "correction"),
    Rule("publication", "correction"),
)
"""Each pair of dates that the data model orders; a pair not listed is not ordered."""

_RULES = {(r.earlier, r.later): r for r in ORDER}

NOT_IN_FUTURE = (
    "assessed_on",
    "approved_on",
    "published_on",
    "received_on",
    "decided_on",
    "correction",
    "final_on",
    "assessed_from",
    "assessed_to",
    "published_at",
)
"""What `build --publish` refuses later than today: the days something happened. `objection_deadline`
and `rectify_by` are deadlines, in the future while they run."""


def rule(earlier: str, later: str) -> Rule:
    """The rule between two fields; KeyError for a pair the order does not give (a reader's mistake)."""
    return _RULES[(earlier, later)]


def out_of_order(earlier: str, a: dt.date | None, later: str, b: dt.date | None) -> bool:
    """True when both dates are given and break the order between `earlier` and `later`."""
    return a is not None and b is not None and not rule(earlier, later).holds(a, b)


def label(field: str) -> str:
    return f"{field}（{FIELDS[field]}）"


def future(field: str, day: dt.date | None, today: dt.date) -> bool:
    """True when `field` is one that `--publish` refuses later than today, and `day` is."""
    return field in NOT_IN_FUTURE and day is not None and day > today


def future_message(where: str, field: str, day: dt.date, today: dt.date) -> str:
    """`where` ends with the field's own words when it is named otherwise in its file (a correction's date)."""
    named = where if field == "correction" else f"{where}{label(field)}"
    return f"{named}{day} 晚于今天（{today}）；正式发布的日期不能是将来的日期，请核对年份（如把 2024 误写成 2204）"


EARLIEST = dt.date(2000, 1, 1)
"""No date of a page not tied to a year is earlier (the tool's first year)."""
CONTENT_DATES = ("assessed_from", "assessed_to", "published_at")
"""The dates a page's front matter may carry (the period: the announcement only)."""
_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?")


def day_of(value: object) -> dt.date | None:
    """The day a front matter's date or time gives ('2024-01-15 09:00', a date, a datetime); None if none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DAY.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        return None
    try:
        return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None


def too_early(day: dt.date | None, year: int | None) -> bool:
    """True when `day` lies before the year it belongs to (`year`; None: before EARLIEST)."""
    first = dt.date(year, 1, 1) if year is not None else EARLIEST
    return day is not None and day < first


def early_message(field: str, day: dt.date, year: int | None, named: str = "") -> str:
    """`named`: how the field is named in its file when not by its key alone."""
    bound = f"{year} 年度的数据不会早于 {year}-01-01" if year is not None else f"不会早于 {EARLIEST.isoformat()}"
    return f"{named or label(field)}{day.isoformat()} 早得不合理（{bound}）；请核对年份（如把 2024 误写成 1970）"


def content_dates(meta: Mapping[str, object]) -> list[tuple[str, dt.date]]:
    """Every date of a page's front matter: (field, day)."""
    found = [(key, day_of(meta.get(key))) for key in CONTENT_DATES]
    return [(key, day) for key, day in found if day is not None]


def year_dates(data: YearData) -> list[tuple[str, str, str, dt.date]]:
    """Every date of a year's data: (file, how its record is named, field, day); a correction's date
    is the field `correction`, named by its number."""
    status = data.status
    corrections_rel = posixpath.join(posixpath.dirname(status.path), CORRECTIONS_FILE)
    found: list[tuple[str, str, str, dt.date | None]] = [
        (status.path, "", key, getattr(status, key))
        for key in ("approved_on", "published_on", "objection_deadline", "rectify_by", "final_on")
    ]
    found += [(s.path, f"机构 {s.institution} 评分表的", "assessed_on", s.assessed_on) for s in data.sheets]
    for o in data.objections:
        found += [
            (o.path, f"第 {o.number} 条异议的", "received_on", o.received_on),
            (o.path, f"第 {o.number} 条异议的", "decided_on", o.decided_on),
        ]
    found += [
        (corrections_rel, f"第 {c.number} 条更正的 date（更正日期）", "correction", c.date) for c in data.corrections
    ]
    return [(path, where, key, day) for path, where, key, day in found if day is not None]


def early_dates(data: YearData) -> list[tuple[str, str]]:
    """Every date of a year's data before that year: (file, message)."""
    return [
        (path, early_message(key, day, data.year, where if key == "correction" else f"{where}{label(key)}"))
        for path, where, key, day in year_dates(data)
        if too_early(day, data.year)
    ]


def future_content(path: str, meta: Mapping[str, object], today: dt.date) -> list[str]:
    """Every date of a page's front matter that `build --publish` refuses (later than `today`)."""
    return [
        f"{path}: {future_message('页面开头的设置 ', key, day, today)}"
        for key, day in content_dates(meta)
        if future(key, day, today)
    ]


def future_dates(data: YearData, today: dt.date) -> list[str]:
    """Every date of a year's data that `build --publish` refuses (later than `today`), as messages
    naming the file and the field; ledger dates are the status's and the corrections' dates."""
    return [
        f"{path}: {future_message(where, key, day, today)}"
        for path, where, key, day in year_dates(data)
        if future(key, day, today)
    ]
