"""Frozen records for the rubric, the roster, the score sheets, the corrections and objections of
a year, and the computed results.

Points are `Decimal` everywhere: 89.75 stays 89.75.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, overload

from site_builder.common.formats import zh_number
from site_builder.domain.facts import Fact, FactKey, show

K = TypeVar("K")
V = TypeVar("V")
N = TypeVar("N")


class Lookup(Generic[K, V]):
    """A frozen record's lookup of one of its tuples by an attribute: `get = Lookup("institutions",
    "id")` gives `roster.get("P01")` (None when absent). The table is made on first use and kept on
    the record; it is not a dataclass field, so it takes no part in equality, repr or a page's
    fingerprint (the tuple it is made from does)."""

    def __init__(self, items: str, key: str):
        self.items, self.key = items, key

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, record: None, owner: type | None = None) -> Lookup[K, V]: ...
    @overload
    def __get__(self, record: object, owner: type | None = None) -> Callable[[K], V | None]: ...
    def __get__(self, record: object | None, owner: type | None = None) -> Lookup[K, V] | Callable[[K], V | None]:
        if record is None:
            return self
        table: dict[K, V] = {getattr(x, self.key): x for x in getattr(record, self.items)}
        find = table.get
        record.__dict__[self.name] = find  # found directly next time, like functools.cached_property
        return find


if TYPE_CHECKING:
    from markupsafe import Markup

    from site_builder.domain.settings import SiteConfig

APPLIES = ("all", "senior_levels", "online_exam")
"""Who an indicator applies to: everyone, institutions evaluating 技师/高级技师, computer-based exams."""

APPLIES_LABELS = {
    "all": "所有机构",
    "senior_levels": "仅评价技师（高级技师）的机构",
    "online_exam": "仅使用在线机考的机构",
}

FLAG_LABELS = {"senior_levels": "评价技师（高级技师）", "online_exam": "使用在线机考"}
"""A sheet's two conditions, as the form, the workbook and the pages name them."""

STATUSES = ("sample", "draft", "approved")
STATUS_LABELS = {"sample": "示例数据，非正式结果", "draft": "草稿，未经审定", "approved": "已审定"}

TIERS = ("省属", "市属")

VETO_RESULT = "取消评价资格"


@dataclass(frozen=True)
class Rule:
    """A machine-readable scoring rule; `scoring.allowed_scores` derives the reachable scores."""

    kind: str  # all_or_nothing | deduct | tiers | composite
    max: Decimal
    per: Decimal | None = None
    values: tuple[Decimal, ...] = ()
    parts: tuple[Rule, ...] = ()

    def as_dict(self, number: Callable[[Decimal], N]) -> dict[str, object]:
        """The rule as the open data (rubric.json, `number`: a JSON number) and the ledger (`number`:
        the Decimal itself, normalised with the rest) write it: kind, then per, values and parts
        where the rule has them, each part with its max."""
        d: dict[str, object] = {"kind": self.kind}
        if self.per is not None:
            d["per"] = number(self.per)
        if self.values:
            d["values"] = [number(v) for v in self.values]
        if self.parts:
            d["parts"] = [{"max": number(p.max), **p.as_dict(number)} for p in self.parts]
        return d


@dataclass(frozen=True)
class Indicator:
    id: str
    section: int
    group: str | None
    group_inferred: bool
    text: str | None
    rule_text: str | None
    max: Decimal | None  # None for veto items
    rule: Rule | None  # None for veto items
    applies: str
    notes: tuple[str, ...]
    allowed: tuple[Decimal, ...]  # reachable scores, ascending; empty for veto items
    section_kind: str = "base"  # the kind of its section in the rubric: base | bonus | veto

    @property
    def is_veto(self) -> bool:
        return self.max is None

    @property
    def full_marks(self) -> Decimal:
        """The maximum of a scored indicator; a veto item has none (ValueError)."""
        if self.max is None:
            raise ValueError(f"{self.id} is a veto item: it has no maximum")
        return self.max

    @property
    def needs_reason(self) -> bool:
        """A score below the maximum needs a reason in base sections (the rubric says which)."""
        return self.section_kind == "base"


@dataclass(frozen=True)
class Group:
    name: str | None
    inferred: bool
    applies: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Section:
    number: int
    name: str
    kind: str  # base | bonus | veto
    groups: tuple[Group, ...]
    max: Decimal | None

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for g in self.groups for i in g.indicators)


@dataclass(frozen=True)
class GradeBand:
    grade: str
    min: Decimal
    label: str

    def caption(self, sep: str = " ") -> str:
        """The grade as a reader names it: a letter or a single character takes 级 (A 级, 甲级);
        a word does not (优秀, 合格)."""
        return grade_caption(self.grade, sep)


def grade_caption(grade: str, sep: str = " ") -> str:
    """A grade name with 级 where it needs one: single letters or characters (A → A 级), not words."""
    needs = len(grade) == 1 or (grade.isascii() and grade.isalnum())
    return f"{grade}{sep}级" if needs and not grade.endswith("级") else grade


@dataclass(frozen=True)
class Rubric:
    year: int
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    grades: tuple[GradeBand, ...]  # highest band first
    source_notes: tuple[str, ...]
    base_max: Decimal
    bonus_max: Decimal
    total_max: Decimal
    path: str

    by_id: dict[str, Indicator] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.by_id.update({i.id: i for i in self.indicators})

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for s in self.sections for i in s.indicators)

    @property
    def scored_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.kind != "veto")

    @property
    def veto_items(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.is_veto)

    @property
    def grade_names(self) -> tuple[str, ...]:
        """The grades, highest band first."""
        return tuple(b.grade for b in self.grades)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """What an assessed institution can get, in the order tables and counts list them."""
        return (*self.grade_names, VETO_RESULT)

    def is_grade(self, outcome: str | None) -> bool:
        return outcome in self.grade_names

    def grade_position(self, grade: str) -> int:
        """0 for the highest band, 1 for the next…"""
        return self.grade_names.index(grade)

    def caption(self, outcome: str, sep: str = " ") -> str:
        """An outcome as a heading names it: A 级, 优秀, 取消评价资格."""
        return grade_caption(outcome, sep) if self.is_grade(outcome) else outcome

    @property
    def section_keys(self) -> tuple[str, ...]:
        """The scored sections' numbers as the open data names them ("1", "2", … "7")."""
        return tuple(str(s.number) for s in self.scored_sections)

    @property
    def parts_text(self) -> str:
        """七个部分: how many parts the form has, as a heading says it."""
        return f"{zh_number(len(self.sections))}个部分"

    def sections_of_kind(self, kind: str) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.kind == kind)

    def sections_text(self, kind: str) -> str:
        """The sections of a kind as the form names them: 第一至五部分, 第一、三部分, 第八部分."""
        numbers = [s.number for s in self.sections_of_kind(kind)]
        if not numbers:
            return ""
        if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
            return f"第{zh_number(numbers[0])}至{zh_number(numbers[-1])}部分"
        return "第" + "、".join(zh_number(n) for n in numbers) + "部分"


@dataclass(frozen=True)
class Institution:
    id: str
    name: str
    tier: str
    county: str | None
    active: bool
    code: str | None
    order: int  # position in the source's list


@dataclass(frozen=True)
class Roster:
    year: int
    institutions: tuple[Institution, ...]
    path: str
    sample: bool = False  # the file carries `sample: true` (示例数据): never published officially

    get: ClassVar[Lookup[str, Institution]] = Lookup("institutions", "id")  # get(institution_id)


@dataclass(frozen=True)
class Status:
    status: str
    approved_by: str | None
    approved_on: dt.date | None
    published_on: dt.date | None
    objection_deadline: dt.date | None
    path: str
    final_on: dt.date | None = None  # the day the results became final (after the 公示 and objections)
    rectify_by: dt.date | None = None  # the deadline for rectification the notices give (C, D, 取消评价资格)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True)
class ItemScore:
    indicator: str
    score: Decimal
    reason: str | None = None
    self_score: Decimal | None = None
    self_reason: str | None = None  # 自评扣分原因, as the institution's self-assessment gives it


@dataclass(frozen=True)
class Veto:
    indicator: str
    evidence: str


@dataclass(frozen=True)
class Sheet:
    institution: str
    assessed_on: dt.date
    senior_levels: bool
    online_exam: bool
    items: tuple[ItemScore, ...]  # in rubric order
    veto: tuple[Veto, ...]  # in rubric order
    path: str
    digest: str = ""  # sha256 of the file: what a cached page rendered from it depends on
    section_sums: tuple[tuple[int, Decimal], ...] = ()  # per scored section, computed once on load
    sample: bool = False  # the file carries `sample: true` (示例数据): never published officially

    item: ClassVar[Lookup[str, ItemScore]] = Lookup("items", "indicator")  # item(indicator_id)


@dataclass(frozen=True)
class FactChange:
    """One old → new of a correction: the published fact it changes (its key in the published
    state) and the values, both in `corrections.norm` form (a veto finding: 1 found, 0 not)."""

    key: FactKey
    old: Fact
    new: Fact
    kind: str = "score"  # the kind of correction it is (see `corrections.KINDS`)
    label: str = ""  # what a reader is told changed, e.g. 1-02, 1-02 扣分原因, 等级 A 分数下限
    indicator: str | None = None  # the indicator the entry names (a message about it points there)

    @property
    def field(self) -> str:
        return self.key.field

    @property
    def old_text(self) -> str:
        return show(self.field, self.old)

    @property
    def new_text(self) -> str:
        return show(self.field, self.new)


@dataclass(frozen=True)
class Correction:
    """One published correction (更正), e.g. after a 复核: of an institution's scores, texts or
    roster entry, of the status's dates, or (no institution) of the rubric."""

    number: int  # 1-based position in corrections.yaml; entries are only ever appended
    date: dt.date
    institution: str | None  # None: a correction of the status or the rubric
    changes: tuple[FactChange, ...]
    reason: str
    approved_by: str
    kind: str = "score"
    digest: str = ""  # sha256 of the entry as written: a published correction never changes


OUTCOMES = ("pending", "upheld", "rejected")
OUTCOME_LABELS = {"pending": "正在处理", "upheld": "异议成立", "rejected": "异议不成立"}


@dataclass(frozen=True)
class Objection:
    """One objection (异议) to a year's published results and how it was handled."""

    number: int  # 1-based position in objections.yaml
    received_on: dt.date
    institution: str
    subject: str
    outcome: str  # pending | upheld | rejected
    decided_on: dt.date | None
    reply: str | None
    correction: int | None  # upheld: the number of the correction it led to
    late: bool  # received after the objection deadline (逾期受理)
    path: str  # the file, as messages show it
    digest: str = ""  # sha256 of the entry as written: recorded by the ledger once published
    fixed_digest: str = ""  # sha256 of received_on, institution and subject: never change once published

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def pending(self) -> bool:
        return self.outcome == "pending"


@dataclass(frozen=True)
class YearData:
    """Everything validated for one assessment year."""

    year: int
    rubric: Rubric
    roster: Roster
    status: Status
    sheets: tuple[Sheet, ...]  # in roster order
    corrections: tuple[Correction, ...] = ()
    objections: tuple[Objection, ...] = ()  # in file order

    sheet: ClassVar[Lookup[str, Sheet]] = Lookup("sheets", "institution")  # sheet(institution_id)


@dataclass(frozen=True)
class Result:
    """An institution's computed outcome for one year. Scores are None where it was not assessed."""

    institution: Institution
    sheet: Sheet | None
    sections: dict[int, Decimal] = field(default_factory=dict)
    base: Decimal | None = None
    bonus: Decimal | None = None
    total: Decimal | None = None
    grade: str | None = None
    vetoed: bool = False
    veto_items: tuple[str, ...] = ()
    rank: int | None = None

    @property
    def assessed(self) -> bool:
        return self.sheet is not None

    @property
    def outcome(self) -> str:
        """What a reader is told: the grade, 取消评价资格, 未开展 or 未评估."""
        if self.vetoed:
            return VETO_RESULT
        if self.grade:
            return self.grade
        if not self.institution.active:
            return "未开展"
        return "未评估"


@dataclass(frozen=True)
class YearReport:
    """A validated year and its computed results (one per roster institution, roster order)."""

    data: YearData
    results: list[Result]

    @cached_property
    def ranked(self) -> int:
        """How many institutions take part in the ranking."""
        return sum(r.rank is not None for r in self.results)


@dataclass(frozen=True)
class Page:
    """A Markdown page: content/pages/<slug>.md, or a year's announcement."""

    slug: str
    title: str
    html: Markup
    order: int = 0
    meta: dict[str, Any] = field(default_factory=dict, compare=False)  # the front matter
    sample: bool = False  # the front matter carries `sample: true` (示例数据): never published officially
    path: str = ""  # the file, relative to the project


@dataclass(frozen=True)
class SiteInput:
    """Everything the site is rendered from, read and validated before anything is written."""

    config: SiteConfig
    reports: list[YearReport]  # ascending by year
    pages: list[Page]  # in menu order
    announcements: dict[int, Page]  # by year
    templates: Path
    ledgers: Mapping[int, PublicationRecord] = field(default_factory=dict)  # by year (`record.ledger.Ledger`)


class PublicationRecord(Protocol):
    """What the pages and the feed show of a year's publication ledger (`site_builder.record.ledger.Ledger`,
    which this layer cannot name): its entries (as ledger.json holds them) and its head."""

    @property
    def entries(self) -> Sequence[Mapping[str, Any]]: ...

    @property
    def head(self) -> str | None: ...
