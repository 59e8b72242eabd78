"""Benchmark: synthetic sites of several sizes, full build, no-change rebuild, one-sheet rebuild.

    python bench/run.py                       # N = 48, 1000, 10000, 20000; 3 runs each
    python bench/run.py --sizes 48,1000 --runs 5 --jobs 2 --workdir /tmp/site-bench

Each figure is the median of the runs. Peak memory is the largest resident set of the build process
and its render workers. The data comes from `python -m site_builder synth --seed 1`, so anyone can
reproduce it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ONE_BUILD = r"""
import json, resource, sys, time
from site_builder.build import Layout, build
layout = Layout.from_args(root=sys.argv[1], out=sys.argv[2])
t = time.perf_counter()
site, written, stats = build(layout, workers=int(sys.argv[3]), cache=sys.argv[4] == "cache")
seconds = time.perf_counter() - t
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
pages = sum(1 for p in written if p.endswith(".html"))
print(json.dumps({"seconds": seconds, "files": stats.files, "pages": pages, "reused": stats.reused, "peak_mb": peak / 1024}))
"""


def one(root: Path, jobs: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", ONE_BUILD, str(root), str(root / "out"), str(jobs), "cache"],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def change_one_sheet(root: Path, flip: int) -> None:
    """Change one score of the first sheet, to a different allowed value each time."""
    sheet = sorted((root / "scores").glob("*/[PM]*.yaml"))[0]
    text = sheet.read_text(encoding="utf-8")
    text = re.sub(r"^  1-01: .*$", "  1-01: 1" if flip % 2 else "  1-01: {score: 0, reason: 基准测试改动}", text,
                  count=1, flags=re.M)
    sheet.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="48,1000,10000,20000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/site-bench"))
    args = ap.parse_args()
    repo = Path(__file__).resolve().parent.parent
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        root = args.workdir / str(n)
        if root.exists():
            shutil.rmtree(root)
        subprocess.run([sys.executable, "-m", "site_builder", "synth", "--institutions", str(n), "--out", str(root),
                        "--seed", "1", "--root", str(repo)], check=True, capture_output=True)
        full, again, changed = [], [], []
        for run in range(args.runs):
            shutil.rmtree(root / ".cache", ignore_errors=True)
            shutil.rmtree(root / "out", ignore_errors=True)
            full.append(one(root, args.jobs))
            again.append(one(root, args.jobs))
            change_one_sheet(root, run)
            changed.append(one(root, args.jobs))
        med = lambda xs, k: statistics.median(x[k] for x in xs)  # noqa: E731
        row = {"N": n, "pages": full[0]["pages"], "full_s": med(full, "seconds"),
               "nochange_s": med(again, "seconds"), "onesheet_s": med(changed, "seconds"),
               "ms_per_page": 1000 * med(full, "seconds") / full[0]["pages"],
               "reused_onesheet": med(changed, "reused"),
               "peak_mb": max(max(x["peak_mb"] for x in xs) for xs in (full, again, changed))}
        rows.append(row)
        print(f"N={n:>6}  pages {row['pages']:>6}  full {row['full_s']:7.2f} s  no change {row['nochange_s']:6.2f} s  "
              f"one sheet {row['onesheet_s']:6.2f} s ({row['reused_onesheet']:.0f} reused)  "
              f"{row['ms_per_page']:5.2f} ms/page  peak {row['peak_mb']:6.0f} MB", flush=True)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
