"""Synthetic data at any scale, laid out like the repo's own, for benchmarks and load tests.

Deterministic for a seed. The sheets are valid by construction (scores drawn from each item's
allowed values, reasons wherever a base item is below its maximum) and always marked as sample data.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from site_builder.build.layout import Layout
from site_builder.domain.models import Rubric
from site_builder.domain.scoring import fmt
from site_builder.errors import BuildError, Problems
from site_builder.read.project import Paths, load_rubric
from site_builder.storage.swap import claim_output, replace_output
from site_builder.storage.writer import Writer

COUNTIES = (
    "忻府区",
    "原平市",
    "定襄县",
    "五台县",
    "代县",
    "繁峙县",
    "宁武县",
    "静乐县",
    "神池县",
    "五寨县",
    "岢岚县",
    "河曲县",
    "保德县",
    "偏关县",
)
KINDS = ("职业培训学校", "职业技术学院", "人力资源服务有限公司", "技工学校", "行业协会", "科技有限公司")
REASONS = ("佐证资料不全，缺{n}项", "现场核查未达到要求", "未提供相关制度文件", "记录不完整", "执行不到位")
VETO_EVIDENCE = "经核查属实（合成数据）"


def write_synthetic(
    rubric: Rubric,
    rubric_file: Path,
    content_dir: Path,
    out: Path,
    n: int,
    seed: int,
    root: Path | None = None,
    protected: dict[str, Path] | None = None,
) -> dict:
    """Write content/, rubric/ and scores/<year>/ for n institutions as the folder `out`, replaced
    as a whole by the one writer (`swap`): a missing or empty folder, or one this command wrote and
    nobody changed since (its manifest); a project's folder is refused naming its files. Returns counts."""
    files: dict[str, bytes] = {}
    counts = _synthetic(rubric, rubric_file, content_dir, files, n, seed)

    def fill(writer: Writer) -> None:
        for rel, data in files.items():
            writer.write(rel, data)

    with claim_output(out, root, protected) as folder:
        replace_output(folder, fill)
    return counts


def _synthetic(
    rubric: Rubric, rubric_file: Path, content_dir: Path, files: dict[str, bytes], n: int, seed: int
) -> dict:
    """The synthetic project's files (relative path -> bytes) into `files`. Returns counts."""
    rng = random.Random(seed)
    year = rubric.year
    files[f"rubric/{year}.yaml"] = rubric_file.read_bytes()
    for dirpath, _dirs, names in os.walk(content_dir):
        for name in names:
            full = Path(dirpath, name)
            files["content/" + full.relative_to(content_dir).as_posix()] = full.read_bytes()
    site_yaml = files["content/site.yaml"].decode("utf-8")  # a roll-up this size is too big for one WeChat article
    files["content/site.yaml"] = (site_yaml.rstrip("\n") + "\nwechat_article: false\n").encode("utf-8")
    scores = f"scores/{year}"
    width = max(3, len(str(n)))
    provincial = max(1, n * 3 // 10)
    roster = [f"# 合成数据：{n} 个机构（seed {seed}）", f"year: {year}", "institutions:"]
    counts = {"institutions": n, "active": 0, "vetoed": 0}
    scored = [(i, i.max) for i in rubric.indicators if i.max is not None]  # not veto items
    vetoes = [i.id for i in rubric.veto_items]
    for k in range(1, n + 1):
        provincial_tier = k <= provincial
        inst_id = f"{'P' if provincial_tier else 'M'}{(k if provincial_tier else k - provincial):0{width}d}"
        county = None if provincial_tier else rng.choice(COUNTIES)
        name = f"{county or '山西'}合成{k:0{width}d}{rng.choice(KINDS)}"
        active = rng.random() < 0.8
        roster.append(
            f"  - {{id: {inst_id}, name: {name}, tier: {'省属' if provincial_tier else '市属'}, "
            f"county: {county or 'null'}, active: {'true' if active else 'false'}, "
            f"code: '{_code(k)}'}}"
        )
        if not active:
            continue
        counts["active"] += 1
        senior, online = rng.random() < 0.3, rng.random() < 0.5
        quality = rng.random()  # how well this institution does overall
        lines = [
            f"institution: {inst_id}",
            f"assessed_on: {year + 1}-01-{rng.randint(2, 10):02d}",
            f"senior_levels: {'true' if senior else 'false'}",
            f"online_exam: {'true' if online else 'false'}",
            "items:",
        ]
        for ind, maximum in scored:
            if ind.applies == "senior_levels" and not senior or ind.applies == "online_exam" and not online:
                continue
            if rng.random() < 0.25 + 0.72 * quality:
                score = maximum
            else:
                score = rng.choice(ind.allowed[:-1])
            entry = [f"score: {fmt(score)}"]
            if score < maximum:
                entry.append(
                    "reason: " + json.dumps(rng.choice(REASONS).format(n=rng.randint(1, 3)), ensure_ascii=False)
                )
            if rng.random() < 0.1:
                entry.append(f"self: {fmt(maximum)}")
            lines.append(f"  {ind.id}: {{{', '.join(entry)}}}" if len(entry) > 1 else f"  {ind.id}: {fmt(score)}")
        if rng.random() < 0.02:
            counts["vetoed"] += 1
            lines.append(f"veto: {{{rng.choice(vetoes)}: {VETO_EVIDENCE}}}")
        else:
            lines.append("veto: {}")
        files[f"{scores}/{inst_id}.yaml"] = ("\n".join(lines) + "\n").encode("utf-8")
    files[f"{scores}/roster.yaml"] = ("\n".join(roster) + "\n").encode("utf-8")
    files[f"{scores}/status.yaml"] = (
        f"# 合成数据，仅供性能测试\nstatus: sample\napproved_by: null\napproved_on: null\n"
        f"published_on: {year + 1}-01-15\nobjection_deadline: {year + 1}-01-20\n"
    ).encode()
    return counts


def _code(k: int) -> str:
    """A valid 统一社会信用代码 (check character included), stable per position."""
    from stdnum.cn import uscc

    body = f"91140900MA{k:07d}"
    return body + uscc.calc_check_digit(body)


def synth_command(layout: Layout, out: Path, n: int, seed: int) -> dict:
    """Synthetic data for n institutions from this project's rubric and content."""
    if n < 1:
        raise BuildError("--institutions 须为正整数")
    problems = Problems()
    years = sorted(p.stem for p in layout.rubric.glob("*.yaml"))
    if not years:
        raise BuildError(
            f"{layout.rubric.resolve()} 中没有评估表（<年度>.yaml）；用 --root 指定含 rubric/ 的数据根目录"
        )
    rubric_file = layout.rubric / f"{years[-1]}.yaml"
    rubric = load_rubric(rubric_file, Paths(layout.rubric, layout.scores, layout.root), problems)
    problems.raise_if_any()
    assert rubric is not None  # else a problem was raised
    return write_synthetic(rubric, rubric_file, layout.content, out, n, seed, layout.root, layout.protected(site=True))
