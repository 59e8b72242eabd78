"""Command line: parses arguments, calls the library, turns its errors into `错误：…` and exit 1.

Each command is one entry of COMMANDS: its help, a function adding its arguments and a function
running it. A new command is a new entry.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from site_builder import __version__
from site_builder.build.layout import Layout
from site_builder.cli.parser import ERROR_PREFIX, ChineseArgumentParser, institutions, port, positive_int, seed, year
from site_builder.common.messages import absolute, os_error
from site_builder.errors import DataError, SiteBuilderError

PROG = "python -m site_builder"


@dataclass(frozen=True)
class Command:
    help: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], None]


# --- arguments --------------------------------------------------------------------------------


def _data_args(p: argparse.ArgumentParser, content: bool = True) -> None:
    p.add_argument("--root", metavar="DIR", help="数据根目录（含 scores/、rubric/、content/ 的文件夹），默认当前目录")
    p.add_argument("--scores", metavar="DIR", help="评分数据目录，默认 ROOT/scores")
    p.add_argument("--rubric", metavar="DIR", help="评估表目录，默认 ROOT/rubric")
    if content:
        p.add_argument("--content", metavar="DIR", help="页面和网站设置目录，默认 ROOT/content")


def _validate_args(p: argparse.ArgumentParser) -> None:
    _data_args(p)


def _build_args(p: argparse.ArgumentParser) -> None:
    _data_args(p)
    p.add_argument("--out", metavar="DIR", help="输出目录，默认 ROOT/output")
    p.add_argument(
        "--jobs",
        type=positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="渲染机构页的进程数，默认为 CPU 核数",
    )
    p.add_argument("--no-cache", action="store_true", help="不用页面缓存，全部重新渲染")
    p.add_argument(
        "--publish",
        action="store_true",
        help="正式发布：仅当状态为 approved 且每个开展评价的机构都有评分表时才生成，并写出发布记录",
    )
    p.add_argument(
        "--year",
        type=year,
        nargs="+",
        metavar="YYYY",
        help="与 --publish 一起用：只正式发布这些年度（如更正 2023 年度而 2024 年度仍是草稿时 --year 2023）；"
        "默认发布所有已审定的年度",
    )
    p.add_argument(
        "--previous", metavar="DIR", type=Path, help="上一次发布的网站副本，默认为输出目录；发布记录少于它所示的即拒绝"
    )


def _serve_args(p: argparse.ArgumentParser) -> None:
    _data_args(p)
    p.add_argument("--out", metavar="DIR", help="输出目录，默认 ROOT/output")
    p.add_argument("--port", type=port, default=8000, metavar="N", help="端口，默认 8000；0 表示自动选一个空闲端口")
    p.add_argument("--jobs", type=positive_int, default=1, metavar="N", help="渲染机构页的进程数，默认 1")


def _workbook_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", metavar="DIR", help="数据根目录，默认当前目录")
    p.add_argument("--rubric", metavar="DIR", help="评估表目录，默认 ROOT/rubric")
    p.add_argument("--out", metavar="FILE.xlsx", required=True, help="要写出的工作簿，如 评分表.xlsx")
    p.add_argument("--year", type=year, metavar="YYYY", help="年度，默认最新一年")
    p.add_argument(
        "--institution",
        metavar="ID",
        nargs="+",
        default=[],
        help="只为这些机构生成（默认全部开展评价的机构），如 --institution P01 P02",
    )
    p.add_argument("--scores", metavar="DIR", help="用该目录中已有的评分表填好工作簿（名单也从这里读）")
    p.add_argument(
        "--force", action="store_true", help="覆盖已有的同名工作簿（项目的数据文件在任何情况下都不会被覆盖）"
    )


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", metavar="FILE.xlsx", nargs="+", type=Path, help="填好的工作簿，可以一次给多个")
    p.add_argument("--root", metavar="DIR", help="数据根目录，默认当前目录")
    p.add_argument("--rubric", metavar="DIR", help="评估表目录，默认 ROOT/rubric")
    p.add_argument("--into", metavar="DIR", type=Path, help="写入的评分数据目录，默认 ROOT/scores")
    p.add_argument("--force", action="store_true", help="覆盖内容不同的已有评分表")


def _verify_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("site", metavar="SITE_DIR", type=Path, help="要核验的网站文件夹（已发布或下载保存的副本）")
    p.add_argument("--root", metavar="DIR", help="数据根目录（仓库），默认当前目录")


def _synth_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--institutions", type=institutions, required=True, metavar="N", help="机构数")
    p.add_argument("--out", required=True, metavar="DIR", help="输出目录")
    p.add_argument("--seed", type=seed, default=1, help="随机种子，默认 1")
    p.add_argument("--root", metavar="DIR", help="取评估表和页面内容的数据根目录，默认当前目录")


def _office_args(p: argparse.ArgumentParser) -> None:
    _data_args(p)
    p.add_argument("--year", type=year, metavar="YYYY", help="年度，默认最新一年")
    p.add_argument("--out", metavar="DIR", help="写出的文件夹，默认 ROOT/office/<年度>（不在网站输出目录之内）")


# --- running ----------------------------------------------------------------------------------


def _layout(args: argparse.Namespace, with_out: bool = True) -> Layout:
    get = lambda name: getattr(args, name, None)  # noqa: E731
    return Layout.from_args(get("root"), get("scores"), get("rubric"), get("content"), get("out") if with_out else None)


def _validate(args: argparse.Namespace) -> None:
    from site_builder.build.validate import ignored, load, summary  # each command imports what it runs

    layout = _layout(args)
    site = load(layout)
    print("数据校验通过。")
    print(summary(site.reports, ignored(layout)))


def _build(args: argparse.Namespace) -> None:
    if args.year and not args.publish:
        raise SiteBuilderError(
            "--year 只和 --publish 一起用（指定正式发布哪些年度）；不带 --publish 的 build 总是生成全部年度，请去掉 --year"
        )

    from site_builder.build.flow import build  # what a build with nothing changed needs, no more

    layout = _layout(args)
    tty = sys.stderr.isatty() and not os.environ.get("CI")
    site, _written, stats = build(
        layout,
        publish_mode=args.publish,
        workers=args.jobs,
        cache=not args.no_cache,
        progress=tty,
        previous=args.previous,
        today=dt.date.today(),  # the one place the clock is read (the date policy: domain/dates.py)
        years=args.year,
    )
    print(stats.summary)
    print(f"{layout.out}：{stats.line()}" if stats.unchanged else f"已生成到 {layout.out}：{stats.line()}")
    if stats.replaced:
        which = "、".join(f"{y} 年度第 {n} 次发布" for y, n in stats.replaced)
        print(
            f"注意：{layout.out} 原来是正式发布的网站（{which}），现已被这次预览生成替换，不再是正式版本，"
            "不要上传它；上传前请先运行 build --publish"
        )
    if args.publish:
        assert site is not None  # a publication never stops early (it never uses the cache)
        recorded = [y for y, ledger in sorted(site.ledgers.items()) if ledger.entries]
        left = [
            (rep.data.year, rep.data.status.label)
            for rep in site.reports
            if rep.data.year not in recorded and rep.data.status.status != "approved"
        ]
        print(publish_note(layout, recorded, left))


def publish_note(layout: Layout, years: list[int], unpublished: Sequence[tuple[int, str]] = ()) -> str:
    """What `build --publish` wrote and what the clerk must commit and upload: the site, the
    ledgers of the years published (`years`), and the years left unpublished (year, status label)."""
    from site_builder.record.ledger import LEDGER_FILE

    records = [layout.scores / str(y) / LEDGER_FILE for y in years]
    lines = [
        "已正式发布：",
        f"  网站：{absolute(layout.out)}（整个文件夹上传到局网站）",
        "  发布记录：" + "、".join(str(p) for p in records),
    ]
    for y, label in unpublished:
        lines.append(
            f"  未发布：{y} 年度（{label}），没有发布记录；网站中它的页面标有“{label}”，不被搜索引擎收录；"
            f"审定后运行 build --publish --year {y} 发布"
        )
    pending = _uncommitted(layout)
    if pending is None:
        lines.append(
            "请把发布记录连同评分表（scores/）、评估表（rubric/）和页面内容（content/）一起保存备份；"
            "以后每次构建都以发布记录为准核对改动。"
        )
    elif pending:
        lines.append("请提交到版本库（git）：")
        lines += [f"  {name}" for name in pending]
        lines.append("  " + commit_command(layout.root, pending, [os.path.relpath(p, layout.root) for p in records]))
    else:
        lines.append("发布记录与版本库中的一致，无须提交。")
    return "\n".join(lines)


def commit_command(root: Path, pending: list[str], records: list[str]) -> str:
    """The shell line that commits a publication: every file it wrote (the ledgers always) and every
    data file changed, each quoted with `shlex.quote` (a `$(…)` or a backtick in a name stays a
    name), run in the data's folder whatever the current one."""
    names = sorted(set(pending) | set(records))
    where = shlex.quote(str(absolute(root)))
    return (
        f"git -C {where} add -- "
        + " ".join(shlex.quote(n) for n in names)
        + f" && git -C {where} commit -m {shlex.quote('正式发布')}"
    )


def _uncommitted(layout: Layout) -> list[str] | None:
    """Data files that differ from the last commit (None when the data is not in a git work tree)."""
    folders = [p for p in (layout.scores, layout.rubric, layout.content) if p.is_dir()]
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=layout.root, capture_output=True, text=True, timeout=10
        )
        if top.returncode != 0:
            return None
        status = subprocess.run(
            [
                "git",
                "status",
                "--porcelain",
                "-z",
                "--untracked-files=all",
                "--",
                *(os.path.relpath(p, layout.root) for p in folders),
            ],
            cwd=layout.root,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if status.returncode != 0:
        return None
    root = Path(top.stdout.strip())
    names = []
    for entry in status.stdout.split("\0"):
        if len(entry) > 3:
            names.append(os.path.relpath(root / entry[3:], layout.root))
    return sorted(set(names))


def _serve(args: argparse.Namespace) -> None:
    from site_builder.commands.serve import serve

    options = [
        item
        for name in ("root", "scores", "rubric", "content", "out")
        if getattr(args, name)
        for item in (f"--{name}", getattr(args, name))
    ]
    serve(_layout(args), args.port, args.jobs, options)


def _workbook(args: argparse.Namespace) -> None:
    from site_builder.commands import workbooks as spreadsheet  # openpyxl is only needed here and for results.xlsx

    year_, count = spreadsheet.write_workbook(
        _layout(args, with_out=False),
        Path(args.out),
        args.year,
        args.institution,
        fill=args.scores is not None,
        force=args.force,
    )
    print(f"已生成 {year_} 年评分工作簿 {args.out}：{count} 个机构" + ("（已按现有评分表填写）" if args.scores else ""))


def _import(args: argparse.Namespace) -> None:
    from site_builder.commands import workbooks as spreadsheet

    result = spreadsheet.import_workbooks(_layout(args, with_out=False), args.files, args.into, args.force)
    for line in result.report():
        print(line)


def _verify(args: argparse.Namespace) -> None:
    from site_builder.commands.verify import verify

    print(verify(args.site, Layout.from_args(args.root)))


def _office(args: argparse.Namespace) -> None:
    from site_builder.commands.office import write_office  # python-docx is only needed here

    year_, folder, written = write_office(
        _layout(args, with_out=False), args.year, Path(args.out) if args.out else None
    )
    documents = [name for name in sorted(written) if not name.startswith(".") and name != "SHA256SUMS"]
    notices = sum(1 for name in documents if name.startswith("通知书/"))
    print(f"已生成 {year_} 年的公文 {len(documents)} 个文件（含通知书 {notices} 份）：{absolute(folder)}")
    for name in documents:
        if not name.startswith("通知书/"):
            print(f"  {name}")
    print(f"  通知书/（{notices} 份）\n  SHA256SUMS（各文件的校验值）")
    print("这些是内部文件，不要放进网站输出目录；工作报告中标有【待填写】的部分须人工填写。")


def _synth(args: argparse.Namespace) -> None:
    from site_builder.commands.synth import synth_command

    counts = synth_command(_layout(args, with_out=False), Path(args.out), args.institutions, args.seed)
    print(
        f"已在 {args.out} 生成合成数据：{counts['institutions']} 个机构，开展评价 {counts['active']} 个，"
        f"其中有否决项 {counts['vetoed']} 个"
    )


COMMANDS: dict[str, Command] = {
    "validate": Command(
        "校验全部数据并打印摘要，不写任何文件",
        "校验评估表、机构名单、状态文件和全部评分表；列出所有问题，或打印将要发布的内容摘要。",
        _validate_args,
        _validate,
    ),
    "build": Command(
        "校验数据并生成网站和开放数据",
        "先校验全部数据，再生成到临时目录，成功后整体替换输出目录；失败时保留上一次的输出。",
        _build_args,
        _build,
    ),
    "serve": Command(
        "本机预览：生成网站并在浏览器中查看，数据改动后自动重新生成",
        "生成网站，在 http://127.0.0.1:端口/ 提供预览（只有本机能访问）；评分表、评估表、页面内容或模板"
        "改动后自动重新生成并刷新已打开的页面；出错时在页面和终端显示错误，继续提供上一次成功生成的网站。"
        "按 Ctrl-C 停止。",
        _serve_args,
        _serve,
    ),
    "workbook": Command(
        "生成专家评分用的 Excel 工作簿",
        "按评估表生成评分工作簿：每个机构一张工作表，版式同纸质评估表，评估分为下拉选择，小计和总分为公式。",
        _workbook_args,
        _workbook,
    ),
    "import": Command(
        "导入填好的工作簿，写出 YAML 评分表",
        "逐格校验填好的工作簿；只导入填写了的机构（一项评估分也没填的工作表跳过并列出），"
        "全部无误才写出 <年度>/<机构编号>.yaml；已有且不同的评分表须加 --force 才覆盖。"
        "可一次给多个工作簿（如各专家组各一份）。",
        _import_args,
        _import,
    ),
    "verify": Command(
        "核验一份已发布（或下载保存）的网站",
        "核对 SHA256SUMS、发布记录的链条、与仓库发布记录是否一致，并按仓库数据重新生成后逐字节比较。",
        _verify_args,
        _verify,
    ),
    "office": Command(
        "生成公文：公告、考核结果通知书、工作报告草稿和新闻通稿（Word 文档）",
        "按 GB/T 9704-2012 公文格式，从与网站相同的已校验数据生成：公告.docx（含结果附件）、"
        "每个参加考核机构的考核结果通知书、工作报告.docx（草稿，【待填写】部分须人工填写）、新闻通稿.docx 和 .txt，"
        "写到 ROOT/office/<年度>/（内部文件，不发布），附 SHA256SUMS。",
        _office_args,
        _office,
    ),
    "synth": Command(
        "生成合成数据（用于性能测试）",
        "在 DIR 下生成与本仓库同样布局的完整数据（content/、rubric/、scores/），同一 seed 结果相同；数据标为示例数据。",
        _synth_args,
        _synth,
    ),
}


def _parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(
        prog=PROG,
        description="忻州市职业技能等级评价机构年度绩效考核结果发布工具：校验评分数据，生成公示网站和开放数据。"
        "操作步骤见 docs/操作手册.md。",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(
        dest="command",
        required=True,
        metavar="命令",
        help=f"要做的事，如 validate；每个命令的选项见 {PROG} 命令 --help",
    )
    for name, command in COMMANDS.items():
        command.arguments(parser.add_command(sub, name, help=command.help, description=command.description))
    return parser


def _missing_inputs_hint(args: argparse.Namespace, problems: list) -> str | None:
    """After a failed load: how to point at the input folders reported missing."""
    layout = _layout(args)
    reported = {p.file for p in problems}
    missing = [
        (opt, path)
        for opt, path in (("--scores", layout.scores), ("--rubric", layout.rubric), ("--content", layout.content))
        if absolute(path) in reported and not path.is_dir()
    ]
    if not missing:
        return None
    given = [opt for opt, _ in missing if getattr(args, opt[2:], None)]
    defaulted = [opt for opt, _ in missing if not getattr(args, opt[2:], None)]
    lines = []
    if given:
        lines.append(f"提示：请检查 {'、'.join(given)} 给出的路径（相对于当前目录 {absolute('.')}）。")
    if defaulted:
        if args.root:
            lines.append(
                f"提示：--root 指向 {absolute(args.root)}，其中应有 "
                + "、".join(f"{opt[2:]}/" for opt in defaulted)
                + "；请检查路径。"
            )
        else:
            lines.append(
                f"提示：请在数据根目录（含 scores/、rubric/、content/ 的文件夹）中运行，或用 --root 指定它；"
                f"当前目录是 {absolute('.')}。"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or an argument error already printed
        return exc.code if isinstance(exc.code, int) else 1
    try:
        COMMANDS[args.command].run(args)
    except DataError as exc:
        print(f"{ERROR_PREFIX}数据有 {len(exc.problems)} 处问题，未写出任何文件：", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        hint = _missing_inputs_hint(args, exc.problems)
        if hint:
            print(hint, file=sys.stderr)
        return 1
    except SiteBuilderError as exc:
        print(f"{ERROR_PREFIX}{exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and cut short
        return 1
    except OSError as exc:
        print(f"{ERROR_PREFIX}{os_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    return 0
