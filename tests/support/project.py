"""The repo's data in a throwaway project, and the command line run in-process or as a user runs it."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from site_builder.cli.main import main
from support.yamlfiles import dump_yaml, load_yaml

REPO = Path(__file__).resolve().parents[2]
"""The repository: its rubric/, content/, scores/ and templates/ are the data the tests copy."""


@dataclass
class CliResult:
    code: int
    out: str
    err: str


class Project:
    """A throwaway copy of the repo's rubric, content and 2023 data that tests can break."""

    def __init__(self, root: Path):
        self.root = root
        self.year_dir = root / "scores" / "2023"

    def path(self, rel: str) -> Path:
        return self.root / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> Path:
        p = self.path(rel)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        return p

    def sheet(self, inst: str) -> dict:
        return load_yaml(self.read(f"scores/2023/{inst}.yaml"))

    def write_sheet(self, inst: str, data: dict, name: str | None = None) -> None:
        text = dump_yaml(data, allow_unicode=True, sort_keys=False)
        self.write(f"scores/2023/{name or inst}.yaml", text)

    def edit(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, 1))

    def write_clean_sheet(self, inst: str = "P05", senior: bool = False, online: bool = False) -> str:
        """A sheet with every applicable indicator at full marks; line 5 + k holds the k-th item."""
        rubric = load_yaml(self.read("rubric/2023.yaml"))
        lines = [
            f"institution: {inst}",
            "assessed_on: 2024-01-07",
            f"senior_levels: {str(senior).lower()}",
            f"online_exam: {str(online).lower()}",
            "items:",
        ]
        for section in rubric["sections"]:
            for group in section["groups"]:
                applies = group.get("applies", "all")
                if applies == "senior_levels" and not senior or applies == "online_exam" and not online:
                    continue
                lines += [f"  {i['id']}: {i['max']}" for i in group["items"] if "max" in i]
        lines.append("veto: {}")
        text = "\n".join(lines) + "\n"
        self.write(f"scores/2023/{inst}.yaml", text)
        return text

    def cli(self, *args: str) -> CliResult:
        """`python -m site_builder ARGS` run in the project folder, as a user would, but in-process
        (`cli.main`, the function the entry point calls): the same exit code and output, without
        a new interpreter each time. `cli_process` runs the real entry point."""
        return in_process(*args, cwd=self.root)

    def cli_process(self, *args: str) -> CliResult:
        """Run `python -m site_builder ARGS` in a new process in the project folder."""
        proc = subprocess.run(
            [sys.executable, "-m", "site_builder", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    def validate(self) -> CliResult:
        """Run `validate` in-process (fast) against this project."""
        return in_process("validate", "--root", str(self.root))


def in_process(*args: str, cwd: Path | None = None) -> CliResult:
    """`cli.main(args)` with stdout and stderr captured; in `cwd` if given (then back)."""
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        if cwd is not None:
            os.chdir(before)
    return CliResult(code, out.getvalue(), err.getvalue())


def copy_project(dest: Path) -> Project:
    for name in ("rubric", "content", "scores", "templates"):
        src = REPO / name
        if src.exists():
            shutil.copytree(src, dest / name)
    return Project(dest)


def unmark_sample(root: Path) -> None:
    """The repo's data as official data: every `sample: true` mark taken out of the data and the
    announcement (publishing refuses while any input file carries it)."""
    for folder in (root / "scores", root / "content"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".yaml", ".md") and path.is_file():
                text = path.read_text(encoding="utf-8")
                kept = re.sub(r"^sample: true[^\n]*\n", "", text, flags=re.M)
                if kept != text:
                    path.write_text(kept, encoding="utf-8")
