"""What a year publishes, as the ledger records it: one value per fact, each in `corrections.norm`
form, keyed by `FactKey` (ledger.json writes the keys as their `text`)."""

from __future__ import annotations

from decimal import Decimal

from site_builder.domain.corrections import ROSTER_FIELDS, STATUS_FIELDS, norm
from site_builder.domain.facts import Fact, FactKey
from site_builder.domain.models import YearData


def _same(value: Decimal) -> Decimal:
    return value


def published_state(data: YearData) -> dict[FactKey, Fact]:
    """Everything a year publishes: the rubric's title, grade bands and indicators (maximum, texts,
    scoring rule, who it applies to), the announcement's dates, every institution's roster entry,
    and every sheet: its date and conditions, each item's score, reason and self-assessment, each
    veto item found or not and its evidence."""
    s: dict[FactKey, Fact] = {}
    rubric, of_rubric = data.rubric, FactKey.of_rubric
    s[of_rubric("title")] = rubric.title
    for g in rubric.grades:
        s[of_rubric("min", grade=g.grade)] = norm(g.min)
        s[of_rubric("label", grade=g.grade)] = g.label
    for ind in rubric.indicators:
        s[of_rubric("max", ind.id)] = norm(ind.max)
        s[of_rubric("text", ind.id)] = ind.text
        s[of_rubric("rule", ind.id)] = ind.rule_text
        s[of_rubric("scoring", ind.id)] = norm(ind.rule.as_dict(_same)) if ind.rule else None
        s[of_rubric("applies", ind.id)] = ind.applies
    st = data.status
    for key in STATUS_FIELDS:
        s[FactKey.of_status(key)] = norm(getattr(st, key))
    of = FactKey.of_institution
    for inst in data.roster.institutions:
        for key in ROSTER_FIELDS:
            s[of(inst.id, key)] = norm(getattr(inst, key))
    for sheet in data.sheets:
        i = sheet.institution
        s[of(i, "assessed_on")] = norm(sheet.assessed_on)
        s[of(i, "senior_levels")] = sheet.senior_levels
        s[of(i, "online_exam")] = sheet.online_exam
        for it in sheet.items:
            s[of(i, "score", it.indicator)] = norm(it.score)
            if it.reason is not None:
                s[of(i, "reason", it.indicator)] = it.reason
            if it.self_score is not None:
                s[of(i, "self", it.indicator)] = norm(it.self_score)
            if it.self_reason is not None:  # 自评扣分原因, where sheets carry it
                s[of(i, "self_reason", it.indicator)] = it.self_reason
        found = {v.indicator: v.evidence for v in sheet.veto}
        for item in rubric.veto_items:
            s[of(i, "veto", item.id)] = "1" if item.id in found else "0"
            if item.id in found:
                s[of(i, "evidence", item.id)] = found[item.id]
    return s
