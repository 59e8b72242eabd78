"""The package's layout: sub-packages in layers, imports going one way (lower never imports higher),
no module importing one that imports it. Read from the code: an ast walk over every import,
lazy ones inside functions and those under TYPE_CHECKING included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "site_builder"

# lowest first: a module may import its own package and any package before it, never one after
LAYERS = (
    "errors",
    "common",
    "domain",
    "storage",
    "read",
    "sheets",
    "pages",
    "publish",
    "office",
    "record",
    "build",
    "commands",
    "cli",
)


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def imports_of(path: Path, name: str | None = None) -> set[str]:
    """Every site_builder module `path` (the module `name`) imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = (name or module_name(path)).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "site_builder")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module.split(".")[0] != "site_builder":
                continue
            for alias in node.names:  # `from site_builder.pkg import module` names a module
                candidate = f"{module}.{alias.name}"
                found.add(candidate if _exists(candidate) else module)
    return found


def _exists(dotted: str) -> bool:
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None  # site_builder itself (__version__): below every layer


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_is_in_a_known_layer() -> None:
    loose = [m for m in MODULES if layer(m) not in (*LAYERS, None, "__main__")]
    assert loose == []


def test_every_sub_package_says_what_it_owns_and_may_import() -> None:
    for name in LAYERS:
        init = PACKAGE / name / "__init__.py"
        if name == "errors":
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "May import" in doc, init


def test_no_folder_holds_more_than_a_dozen_modules() -> None:
    for folder in [PACKAGE, *(p for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__")]:
        modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
        assert len(modules) <= 12, folder


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_one_way(module: str) -> None:
    """A module imports only modules of its own layer or a lower one."""
    mine = layer(module)
    if mine in (None, "__main__"):
        return
    upward = sorted(
        other
        for other in imports_of(MODULES[module])
        if layer(other) is not None and layer(other) != "__main__" and LAYERS.index(layer(other)) > LAYERS.index(mine)
    )  # type: ignore[arg-type]
    assert upward == [], f"{module} imports a higher layer"


def test_no_import_cycle() -> None:
    graph = {m: {o for o in imports_of(p) if o in MODULES and o != m} for m, p in MODULES.items()}
    cycles = []

    def visit(node: str, path: list[str], seen: set[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in path:
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in seen:
                seen.add(nxt)
                visit(nxt, [*path, nxt], seen)

    for start in sorted(graph):
        visit(start, [start], {start})
    assert cycles == []


def test_the_walk_sees_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    """The checker itself: an import inside a function or under TYPE_CHECKING is found."""
    sample = tmp_path / "probe.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from site_builder.build import flow\n"
        "def f():\n    from site_builder.cli.main import main\n    from ..pages import specs\n",
        encoding="utf-8",
    )
    found = imports_of(sample, "site_builder.domain.probe")
    assert {"site_builder.build.flow", "site_builder.cli.main", "site_builder.pages.specs"} <= found
