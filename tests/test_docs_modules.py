"""docs/architecture.md's "Modules today" table names every module of the package with the first
paragraph of its docstring, so the code map stays true. Run as a script to regenerate the table."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "architecture.md"


def rows() -> list[str]:
    out = []
    package = REPO / "site_builder"
    for path in sorted(package.rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = " ".join(doc.split("\n\n")[0].split()).replace("|", "/")
        out.append(f"| `{path.relative_to(package).as_posix()}` | {first} |")
    return out


def table_in_doc() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Modules today\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if re.match(r"\| `", line)]


def test_every_module_is_in_the_code_map_with_its_docstring() -> None:
    assert table_in_doc() == rows(), "regenerate the table: python tests/test_docs_modules.py"


if __name__ == "__main__":
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split("\n## Modules today\n", 1)
    section, tail = rest.split("\n## ", 1)
    kept = [line for line in section.splitlines() if not re.match(r"\| `", line)]
    new = "\n".join(kept).rstrip() + "\n" + "\n".join(rows()) + "\n"
    DOC.write_text(f"{head}\n## Modules today\n{new}\n## {tail}", encoding="utf-8")
    sys.exit(0)
