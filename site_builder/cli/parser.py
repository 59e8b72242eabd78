"""argparse in Chinese: usage, help, argument errors, and “您是不是要输入 build？” for near misses.

argparse's own strings are English; this subclass replaces every one a user of this tool can meet
(the help layout, the -h/--version texts, unknown commands and options, missing or malformed values)
and exits with status 1 like every other refusal of bad input.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from typing import NoReturn

from site_builder.common.messages import suggestion

ERROR_PREFIX = "错误："


class ChineseHelpFormatter(argparse.HelpFormatter):
    def format_help(self) -> str:
        return re.sub(r"^(\s*\S+):$", r"\1：", super().format_help(), flags=re.M)  # 选项： not 选项:

    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001 - argparse signature
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


def _digits(text: str) -> int | None:
    """A whole number typed in ASCII digits (int() also takes full-width １０ and other scripts' digits)."""
    return int(text) if re.fullmatch(r"[0-9]+", text) else None


FULL_WIDTH = "（请用半角数字 0–9，不要用全角数字）"


def _hint(text: str) -> str:
    return FULL_WIDTH if not text.isascii() and text.strip().isdigit() else ""


def positive_int(text: str) -> int:
    value = _digits(text)
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"须为正整数，实为“{text}”{_hint(text)}")
    return value


MAX_INSTITUTIONS = 100_000
"""synth's largest site: 100 times the 1,000 the bench and the slow readability test use."""


def institutions(text: str) -> int:
    """synth's --institutions: 1 to MAX_INSTITUTIONS, in ASCII digits."""
    value = _digits(text)
    if value is None or not 1 <= value <= MAX_INSTITUTIONS:
        raise argparse.ArgumentTypeError(f"须为 1 至 {MAX_INSTITUTIONS} 之间的整数，实为“{text}”{_hint(text)}")
    return value


def seed(text: str) -> int:
    value = _digits(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"须为 0 或正整数，实为“{text}”{_hint(text)}")
    return value


def year(text: str) -> int:
    if not re.fullmatch(r"[0-9]{4}", text.strip()):
        raise argparse.ArgumentTypeError(f"须为四位数的年度，如 2023，实为“{text}”{_hint(text)}")
    return int(text)


def port(text: str) -> int:
    value = _digits(text)
    if value is None or not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"须为 0 至 65535 之间的端口号（0 表示自动选一个空闲端口），实为“{text}”")
    return value


def _is_dash(c: str) -> bool:
    """What an input method types for -: any dash punctuation (Pd), or a minus sign (Sm)."""
    category = unicodedata.category(c)
    return category == "Pd" or category == "Sm" and "MINUS" in unicodedata.name(c, "")


def ascii_typed(text: str) -> tuple[str, list[str]]:
    """What `text` reads as when typed on an English keyboard, and what kinds of characters a Chinese
    input method put in it (by Unicode category, not a list): compatibility forms such as full-width
    letters (NFKC), dashes, spaces."""
    kinds: list[str] = []
    folded = unicodedata.normalize("NFKC", text)
    if any(unicodedata.normalize("NFKC", c) != c and not c.isspace() for c in text):
        kinds.append("全角字符")
    out = []
    for c in folded:
        if c != "-" and _is_dash(c):
            kinds.append("破折号或全角减号")
            out.append("-")
        else:
            out.append(c)
    plain = "".join(out)
    stripped = plain.strip()
    if stripped != plain or any(unicodedata.category(c) == "Zs" and c != " " for c in text):
        kinds.append("全角空格" if "\u3000" in text else "多余的空格")
    return stripped, list(dict.fromkeys(kinds))


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Chinese and suggests the closest command or option."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        kwargs.setdefault("allow_abbrev", False)  # `--pub` is a typo to point out, not a guess to act on
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False  # our own -h, in Chinese (below)
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.commands: dict[str, ChineseArgumentParser] = {}
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def add_command(self, subparsers, name: str, **kwargs) -> ChineseArgumentParser:
        parser = subparsers.add_parser(name, **kwargs)
        self.commands[name] = parser
        return parser

    # --- where argparse would speak English --------------------------------------------------

    def _check_value(self, action, value):  # noqa: ANN001 - argparse hook
        if action.choices is not None and value not in action.choices:
            choices = "、".join(map(str, action.choices))
            if isinstance(action, argparse._SubParsersAction):
                near = suggestion(value, action.choices)
                raise argparse.ArgumentError(action, f"没有“{value}”这个命令。{near}可用的命令：{choices}")
            raise argparse.ArgumentError(action, f"“{value}”不是可选的值；可选：{choices}")

    def parse_args(self, args=None, namespace=None):  # noqa: ANN001
        argv = list(sys.argv[1:] if args is None else args)
        self._check_input_method(argv)
        self._check_options_first(argv)
        parsed, extras = self.parse_known_args(argv, namespace)
        if extras:
            command = getattr(parsed, "command", None)
            target = self.commands.get(command, self) if command else self
            target.error(target._unrecognized(extras, self if target is not self else None))
        return parsed

    def _check_input_method(self, argv: list[str]) -> None:
        """A command or option typed with a Chinese input method on (——publish, －－publish, ｂｕｉｌｄ,
        a trailing full-width space) is pointed out with what to type, never guessed at."""
        commands = set(self.commands)
        options = {o for parser in [self, *self.commands.values()] for o in parser._option_strings()}
        command = None
        for raw in argv:
            plain, kinds = ascii_typed(raw)
            if kinds and plain.startswith("-") and not plain.startswith("--") and len(plain) > 2:
                plain = "-" + plain  # one long dash for the two hyphens of --publish
            if plain in commands and command is None:
                command = plain
            if not kinds:
                continue
            if plain in commands or plain.split("=", 1)[0] in options:
                target = self.commands.get(command, self) if command else self
                target.error(f"“{raw}”里有中文输入法打出的{'、'.join(kinds)}；请切换到英文输入法，写成 {plain}")

    def _check_options_first(self, argv: list[str]) -> None:
        """A mistyped option is reported before anything it causes (such as a required option missing)."""
        command = next((a for a in argv if not a.startswith("-")), None)
        target = self.commands.get(command) if command else None
        if command is None or target is None:
            return
        rest = argv[argv.index(command) + 1 :]
        if "--" in rest:
            rest = rest[: rest.index("--")]
        known = target._option_strings()
        unknown = [a for a in rest if a.startswith("--") and a.split("=", 1)[0] not in known]
        if unknown:
            target.error(target._unrecognized(unknown, None))

    def _option_strings(self) -> list[str]:
        return [s for action in self._actions for s in action.option_strings if s.startswith("--")]

    def _unrecognized(self, extras: list[str], top: ChineseArgumentParser | None) -> str:
        messages = []
        for n, extra in enumerate(extras):
            if n and not extra.startswith("-") and extras[n - 1].startswith("--") and "=" not in extras[n - 1]:
                continue  # the value of the unknown option just before it
            if extra.startswith("-") and len(extra) > 1:
                name = extra.split("=", 1)[0]
                if top is not None and name in self._option_strings():
                    messages.append(f"选项 {name} 要写在命令之后，如 {self.prog} {name}")
                    continue
                near = suggestion(name, self._option_strings())
                messages.append(f"没有 {name} 这个选项。{near}".rstrip())
            else:
                messages.append(f"多余的参数“{extra}”")
        return "；".join(messages)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{ERROR_PREFIX}{self._translate(message)}\n")
        sys.stderr.write(f"用 {self.prog} --help 查看说明。\n")
        raise SystemExit(1)

    def _translate(self, message: str) -> str:
        """argparse's English messages, in Chinese; ours (already Chinese) unchanged."""
        m = re.fullmatch(r"the following arguments are required: (.*)", message)
        if m:
            names = [n.strip() for n in m.group(1).split(",")]
            if any(self._is_command_slot(n) for n in names):
                return f"缺少命令。可用的命令：{'、'.join(self.commands)}"
            return "缺少必填的参数：" + "；".join(self._describe(n) for n in names)
        m = re.fullmatch(r"argument (\S+?): (.*)", message, re.S)
        if m:
            name, inner = m.group(1).split("/")[-1], m.group(2)
            if self._is_command_slot(name):
                return inner
            if inner == "expected one argument":
                return f"{name} 后面要写一个值{self._describe(name, bare=True)}"
            if inner == "expected at least one argument":
                return f"{name} 后面至少要写一个值{self._describe(name, bare=True)}"
            v = re.fullmatch(r"invalid \w+ value: '(.*)'", inner)
            if v:
                return f"{name} 的值“{v.group(1)}”格式不对{self._describe(name, bare=True)}"
            v = re.fullmatch(r"ignored explicit argument '(.*)'", inner)
            if v:
                return f"{name} 不带值，请去掉“={v.group(1)}”"
            return f"{name} {inner}" if not re.search(r"[a-z]{3}", inner) else f"{name}：参数有误（{inner}）"
        m = re.fullmatch(r"unrecognized arguments: (.*)", message)
        if m:
            return self._unrecognized(m.group(1).split(), None)
        if re.search(r"[\u4e00-\u9fff]", message):  # ours
            return message
        return f"参数有误（{message}）"

    def _is_command_slot(self, name: str) -> bool:
        return bool(self.commands) and any(
            isinstance(a, argparse._SubParsersAction) and name in (a.metavar, a.dest) for a in self._actions
        )

    def _describe(self, name: str, bare: bool = False) -> str:
        """`--out（要写出的工作簿）`; with bare, only the part in brackets."""
        for action in self._actions:
            if name in action.option_strings or name in (action.metavar, action.dest):
                label = name if action.option_strings else str(action.metavar or action.dest)
                help_text = f"（{action.help}）" if action.help else ""
                return help_text if bare else label + help_text
        return "" if bare else name
