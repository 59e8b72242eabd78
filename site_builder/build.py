"""Ties it together: read and validate everything, compute, then write every output in one swap."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from site_builder import exports
from site_builder.errors import BuildError
from site_builder.loader import load_project
from site_builder.models import VETO_RESULT, Result, YearData
from site_builder.output import Writer, publish
from site_builder.scoring import year_results


@dataclass(frozen=True)
class Layout:
    """Where inputs and output live. Defaults are relative to `root` (the repo)."""

    root: Path
    scores: Path
    rubric: Path
    content: Path
    out: Path

    @classmethod
    def from_args(cls, root: str | None = None, scores: str | None = None, rubric: str | None = None,
                  content: str | None = None, out: str | None = None) -> "Layout":
        base = Path(root or ".")
        return cls(
            root=base,
            scores=Path(scores) if scores else base / "scores",
            rubric=Path(rubric) if rubric else base / "rubric",
            content=Path(content) if content else base / "content",
            out=Path(out) if out else base / "output",
        )


@dataclass(frozen=True)
class YearReport:
    data: YearData
    results: list[Result]

    @property
    def counts(self) -> Counter:
        c: Counter = Counter()
        for r in self.results:
            c["listed"] += 1
            c["active" if r.institution.active else "inactive"] += 1
            if r.assessed:
                c["assessed"] += 1
                c[r.outcome] += 1
            elif r.institution.active:
                c["missing"] += 1
        return c


def load(layout: Layout) -> list[YearReport]:
    """Read and validate every year; compute the results. Raises DataError listing every problem."""
    years = load_project(layout.scores, layout.rubric, base=layout.root)
    return [YearReport(y, year_results(y)) for y in years]


def summary(reports: list[YearReport]) -> str:
    """What `validate` prints: what would be published, at a glance."""
    lines = []
    for rep in reports:
        d, c = rep.data, rep.counts
        lines.append(
            f"{d.year} 年：评估表 {len(d.rubric.indicators)} 项指标，名单 {c['listed']} 个机构，"
            f"评分表 {len(d.sheets)} 份；状态 {d.status.status}（{d.status.label}）"
        )
        lines.append(
            f"  开展评价 {c['active']} 个，未开展 {c['inactive']} 个；已评估 {c['assessed']} 个，"
            f"尚无评分表 {c['missing']} 个"
        )
        grades = "，".join(f"{g} {c[g]}" for g in ("A", "B", "C", "D", VETO_RESULT))
        lines.append(f"  等级：{grades}")
    return "\n".join(lines)


def check_publishable(reports: list[YearReport]) -> None:
    """`build --publish` only for approved data with a sheet for every active institution."""
    problems = []
    for rep in reports:
        d = rep.data
        if d.status.status != "approved":
            problems.append(f"{d.status.path}: status 为 {d.status.status}（{d.status.label}），"
                            "只有 approved（已审定）的数据可以正式发布")
        missing = [r.institution.id for r in rep.results if r.institution.active and not r.assessed]
        if missing:
            problems.append(f"{d.year} 年尚无评分表的开展评价机构：{'、'.join(missing)}；"
                            "正式发布须每个开展评价的机构都有评分表")
    if problems:
        raise BuildError("不能正式发布：\n" + "\n".join(problems))


def write_year(writer: Writer, rep: YearReport) -> None:
    d = rep.data
    prefix = f"{d.year}/data"
    writer.write(f"{prefix}/rubric.json", exports.rubric_json(d.rubric))
    writer.write(f"{prefix}/results.json", exports.results_json(d, rep.results))
    writer.write(f"{prefix}/results.csv", exports.results_csv(rep.results))


def build(layout: Layout, publish_mode: bool = False) -> tuple[list[YearReport], dict[str, str]]:
    """Validate everything, then write the whole output. Returns the reports and files written."""
    reports = load(layout)
    if publish_mode:
        check_publishable(reports)

    def fill(writer: Writer) -> None:
        for rep in reports:
            write_year(writer, rep)

    written = publish(layout.out, fill)
    return reports, written
