"""Command line: parses arguments, calls the library, turns its errors into `Error: …` and exit 1."""

from __future__ import annotations

import argparse
import sys

from site_builder import __version__
from site_builder.build import Layout, build, load, summary
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
    b.add_argument("--publish", action="store_true",
                   help="正式发布：仅当状态为 approved 且每个开展评价的机构都有评分表时才生成")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    layout = Layout.from_args(args.root, args.scores, args.rubric,
                              args.content, getattr(args, "out", None))
    try:
        if args.command == "validate":
            site = load(layout)
            print("数据校验通过。")
            print(summary(site.reports))
        else:
            site, written = build(layout, publish_mode=args.publish)
            print(summary(site.reports))
            print(f"已生成 {len(written)} 个文件到 {layout.out}")
    except DataError as exc:
        print(f"Error: 数据有 {len(exc.problems)} 处问题，未写出任何文件：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except SiteBuilderError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0
