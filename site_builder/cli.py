"""Command line: parses arguments, calls the library, turns its errors into `Error: …` and exit 1."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from site_builder import __version__
from site_builder.build import Layout, build, load, summary, synth_command
from site_builder.errors import DataError, SiteBuilderError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m site_builder",
        description="忻州市职业技能等级评价机构年度绩效考核结果发布工具：校验评分数据，生成公示网站和开放数据。",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--root", metavar="DIR", help="数据根目录（含 scores/、rubric/、content/），默认当前目录")
        p.add_argument("--scores", metavar="DIR", help="评分数据目录，默认 ROOT/scores")
        p.add_argument("--rubric", metavar="DIR", help="评估表目录，默认 ROOT/rubric")

    v = sub.add_parser("validate", help="校验全部数据并打印摘要，不写任何文件",
                       description="校验评估表、机构名单、状态文件和全部评分表；列出所有问题，或打印将要发布的内容摘要。")
    common(v)
    v.add_argument("--content", metavar="DIR", help="页面和网站设置目录，默认 ROOT/content")
    b = sub.add_parser("build", help="校验数据并生成网站和开放数据",
                       description="先校验全部数据，再生成到临时目录，成功后整体替换输出目录；失败时保留上一次的输出。")
    common(b)
    b.add_argument("--content", metavar="DIR", help="页面和网站设置目录，默认 ROOT/content")
    b.add_argument("--out", metavar="DIR", help="输出目录，默认 ROOT/output")
    b.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="渲染机构页的进程数，默认为 CPU 核数")
    b.add_argument("--no-cache", action="store_true", help="不用页面缓存，全部重新渲染")
    b.add_argument("--publish", action="store_true",
                   help="正式发布：仅当状态为 approved 且每个开展评价的机构都有评分表时才生成")
    b.add_argument("--previous", metavar="DIR", type=Path, help="上一次发布的网站副本，默认为输出目录；发布记录少于它所示的即拒绝")
    ve = sub.add_parser("verify", help="核验一份已发布（或下载保存）的网站", description="核对 SHA256SUMS、发布记录的链条、与仓库发布记录是否一致，并按仓库数据重新生成后逐字节比较。")
    ve.add_argument("site", metavar="SITE_DIR", type=Path)
    ve.add_argument("--root", metavar="DIR", help="数据根目录（仓库），默认当前目录")
    w = sub.add_parser("workbook", help="生成专家评分用的 Excel 工作簿",
                       description="按评估表生成评分工作簿：每个机构一张工作表，版式同纸质评估表，评估分为下拉选择，小计和总分为公式。")
    w.add_argument("--root", metavar="DIR", help="数据根目录，默认当前目录")
    w.add_argument("--rubric", metavar="DIR", help="评估表目录，默认 ROOT/rubric")
    w.add_argument("--out", metavar="FILE.xlsx", required=True, help="要写出的工作簿")
    w.add_argument("--year", type=int, help="年度，默认最新一年")
    w.add_argument("--institution", metavar="ID", nargs="+", default=[], help="只为这些机构生成（默认全部开展评价的机构）")
    w.add_argument("--scores", metavar="DIR", help="用该目录中已有的评分表填好工作簿（名单也从这里读）")
    i = sub.add_parser("import", help="导入填好的工作簿，写出 YAML 评分表",
                       description="逐格校验填好的工作簿；全部无误才写出 <年度>/<机构编号>.yaml；已有且不同的评分表须加 --force 才覆盖。")
    i.add_argument("files", metavar="FILE.xlsx", nargs="+", type=Path)
    i.add_argument("--root", metavar="DIR", help="数据根目录，默认当前目录")
    i.add_argument("--rubric", metavar="DIR", help="评估表目录，默认 ROOT/rubric")
    i.add_argument("--into", metavar="DIR", type=Path, help="写入的评分数据目录，默认 ROOT/scores")
    i.add_argument("--force", action="store_true", help="覆盖内容不同的已有评分表")
    sy = sub.add_parser("synth", help="生成合成数据（用于性能测试）",
                        description="在 DIR 下生成与本仓库同样布局的完整数据（content/、rubric/、scores/），同一 seed 结果相同；数据标为示例数据。")
    sy.add_argument("--institutions", type=int, required=True, metavar="N", help="机构数")
    sy.add_argument("--out", required=True, metavar="DIR", help="输出目录")
    sy.add_argument("--seed", type=int, default=1, help="随机种子，默认 1")
    sy.add_argument("--root", metavar="DIR", help="取评估表和页面内容的数据根目录，默认当前目录")
    return parser


def _synth(args, layout: Layout) -> None:
    counts = synth_command(layout, Path(args.out), args.institutions, args.seed)
    print(f"已在 {args.out} 生成合成数据：{counts['institutions']} 个机构，开展评价 {counts['active']} 个，"
          f"其中有否决项 {counts['vetoed']} 个")


def _workbook(args, layout: Layout) -> None:
    from site_builder import spreadsheet  # openpyxl is only needed here and for results.xlsx

    year, count = spreadsheet.write_workbook(layout, Path(args.out), args.year, args.institution,
                                             fill=args.scores is not None)
    print(f"已生成 {year} 年评分工作簿 {args.out}：{count} 个机构" + ("（已按现有评分表填写）" if args.scores else ""))


def _import(args, layout: Layout) -> None:
    from site_builder import spreadsheet

    result = spreadsheet.import_workbooks(layout, args.files, args.into, args.force)
    for path in result.written:
        print(f"已写出 {path}")
    for path in result.unchanged:
        print(f"未变：{path}")


def _validate(args, layout: Layout) -> None:
    site = load(layout)
    print("数据校验通过。")
    print(summary(site.reports))


def _build(args, layout: Layout) -> None:
    tty = sys.stderr.isatty() and not os.environ.get("CI")
    site, _written, stats = build(layout, publish_mode=args.publish, workers=max(1, args.jobs),
                                  cache=not args.no_cache, progress=tty, previous=args.previous)
    print(summary(site.reports))
    print(f"已生成到 {layout.out}：{stats.line()}")


def _verify(args, layout: Layout) -> None:
    from site_builder.verify import verify

    print(verify(args.site, layout))


COMMANDS = {"verify": _verify, "synth": _synth, "workbook": _workbook, "import": _import, "validate": _validate, "build": _build}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("synth", "verify"):
        layout = Layout.from_args(args.root)
    elif args.command in ("workbook", "import"):
        layout = Layout.from_args(args.root, getattr(args, "scores", None), args.rubric)
    else:
        layout = Layout.from_args(args.root, args.scores, args.rubric, args.content, getattr(args, "out", None))
    try:
        COMMANDS[args.command](args, layout)
    except DataError as exc:
        print(f"Error: 数据有 {len(exc.problems)} 处问题，未写出任何文件：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except SiteBuilderError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0
