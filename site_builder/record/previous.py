"""The previous publication (a site folder, by default the output) checked against the ledgers before
anything is written: it may show no publication the repo's ledgers do not hold, nor others, or the
record was lost or rewritten."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from site_builder.domain.models import PublicationRecord
from site_builder.errors import Problems
from site_builder.record.ledger import HEAD_LEN, LEDGER_FILE, of_year

HEAD_MARK = re.compile(r'data-ledger-head="([0-9a-f]{12})"')
"""How a page shows the ledger head (templates/base.html)."""


def check_previous(
    previous: Path, ledgers: Mapping[int, PublicationRecord], problems: Problems, rel: Callable[[Path], str]
) -> None:
    """Refuse to go on when the previous publication (a site folder) shows more publications than
    the repo's ledgers hold, or others: the record was lost or rewritten."""
    if not previous.is_dir():
        return
    for year_dir in sorted(p for p in previous.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)):
        year = int(year_dir.name)
        mine = of_year(ledgers, year)
        have = mine.entries if mine else []
        repo_rel = mine.rel if mine else f"scores/{year}/{LEDGER_FILE}"
        published = year_dir / "data" / LEDGER_FILE
        shown = rel(published)
        restore = f"已发布的记录不能丢失或改写；请从版本库恢复 {repo_rel}（git checkout -- {repo_rel}）"
        if not published.is_file():
            page = year_dir / "index.html"
            head = None
            if page.is_file():
                m = HEAD_MARK.search(page.read_text(encoding="utf-8", errors="replace"))
                head = m.group(1) if m else None
            if head and not any(e["hash"].startswith(head) for e in have):
                problems.add(
                    repo_rel,
                    f"上一次发布的网站（{rel(page)}）显示发布记录校验码 {head}，但发布记录中没有这一次发布；{restore}",
                )
            continue
        try:
            doc = json.loads(published.read_bytes().decode("utf-8-sig"))
            entries = doc["entries"]
            hashes = [e["hash"] for e in entries]
            if not all(isinstance(h, str) for h in hashes):
                raise TypeError("an entry's hash is no text")
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            problems.add(shown, "上一次发布的网站中的发布记录无法读取；请用 --previous 指定一份完好的已发布网站副本")
            continue
        if not hashes:
            continue
        if not have:
            problems.add(repo_rel, f"发布记录不见了，但上一次发布的网站（{shown}）已有 {len(hashes)} 次发布；{restore}")
        elif len(have) < len(hashes):
            problems.add(
                repo_rel,
                f"发布记录只有 {len(have)} 次发布，少于上一次发布的网站（{shown}）所示的 {len(hashes)} 次；{restore}",
            )
        else:
            for n, (mine_e, theirs) in enumerate(zip(have, entries), start=1):
                if mine_e != theirs:
                    problems.add(
                        repo_rel,
                        f"发布记录的第 {n} 次发布（校验码 {mine_e['hash'][:HEAD_LEN]}）与上一次发布的网站"
                        f"（{shown}，校验码 {str(theirs.get('hash'))[:HEAD_LEN]}）不同；{restore}",
                    )
                    break
