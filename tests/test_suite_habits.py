"""Habits of the test suite, checked from its code (an ast walk over tests/):

- a test module imports no other test module and not conftest.py: shared helpers live in the
  tests/support/ package, fixtures in conftest.py (pytest finds them there);
- tests/ holds at its top only test modules and conftest.py (a helper module goes in tests/support/);
- a module-level function is never named like one of conftest.py's fixtures unless it is a fixture
  (a helper named `project` would hide the `project` fixture in that module);
- a test starts Python as the running interpreter (`sys.executable`), never a bare `python` found on
  PATH (another interpreter, maybe without the package or its dependencies).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from support.yamlfiles import dump_yaml

TESTS = Path(__file__).resolve().parent
SOURCES = sorted(p for p in TESTS.rglob("*.py") if not {"node_modules", "js", "artifacts"} & set(p.parts))
TEST_MODULES = {p.stem for p in TESTS.glob("*.py")}  # test_*.py and conftest.py
PYTHON = re.compile(r"python[0-9.]*(\.exe)?")
STARTS = re.compile(r"run|Popen|call|check_call|check_output|system|popen|exec.*|spawn.*|create_subprocess_.*")
"""What starts a program: subprocess.*, os.system/popen/exec*/spawn*, asyncio.create_subprocess_*."""


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level name) of every import, lazy ones (inside functions) included."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module.split(".")[0]))
        elif isinstance(node, ast.ImportFrom):  # relative: tests/ is not a package, support/ imports by name
            out.append((node.lineno, "." * node.level + (node.module or "")))
    return out


def _rel(path: Path) -> str:
    return path.relative_to(TESTS.parent).as_posix()


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_the_walk_sees_the_suite():
    assert {"conftest", "test_suite_habits", "test_scoring"} <= TEST_MODULES
    assert TESTS / "support" / "mini.py" in SOURCES and TESTS / "conftest.py" in SOURCES


def test_no_test_module_imports_another_or_conftest():
    found = [
        f"{_rel(path)}:{line}: imports {name}"
        for path in SOURCES
        for line, name in _imported(_parse(path))
        if name in TEST_MODULES or name.startswith(("test_", "."))
    ]
    assert found == []


def test_helpers_live_in_the_support_package():
    stray = [p.name for p in TESTS.glob("*.py") if not (p.name.startswith("test_") or p.name == "conftest.py")]
    assert stray == []
    assert (TESTS / "support" / "__init__.py").is_file()
    assert not (TESTS / "__init__.py").exists()  # tests/ is no package: its modules are never imported


def _is_fixture(node: ast.FunctionDef) -> bool:
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if isinstance(target, ast.Attribute) and target.attr == "fixture":
            return True
        if isinstance(target, ast.Name) and target.id == "fixture":
            return True
    return False


def _fixtures(path: Path) -> set[str]:
    tree = _parse(path)
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and _is_fixture(n)}


def test_no_helper_is_named_like_a_shared_fixture():
    shared = _fixtures(TESTS / "conftest.py")
    assert {"project", "clean", "repo_site"} <= shared
    found = [
        f"{_rel(path)}:{line}: {name}"
        for path in SOURCES
        if path.name != "conftest.py"
        for line, name in _module_names(_parse(path))
        if name in shared
    ]
    assert found == []


def _module_names(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, name) of each module-level function (fixtures aside) and imported name."""
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not _is_fixture(node):
            out.append((node.lineno, node.name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            out += [(node.lineno, (a.asname or a.name).split(".")[0]) for a in node.names]
    return out


@pytest.mark.parametrize(
    "code, names",
    [
        ("def project(tmp_path):\n    pass", ["project"]),
        ("from support.objections import objection_project as project", ["project"]),
        ("@pytest.fixture\ndef project(tmp_path):\n    pass", []),  # a module's own fixture may override
    ],
)
def test_the_fixture_check_catches_a_helper_named_like_one(code, names):
    assert [n for _, n in _module_names(ast.parse(code)) if n == "project"] == names


def _bare_python(tree: ast.AST) -> list[int]:
    """Lines of calls that start a program named python*, given as a list's first item or a command line."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if not STARTS.fullmatch(callee):
            continue
        for arg in [*node.args, *(k.value for k in node.keywords if k.arg in ("args", "executable"))]:
            first = arg.elts[0] if isinstance(arg, ast.List | ast.Tuple) and arg.elts else arg
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                words = first.value.split()
                if words and PYTHON.fullmatch(Path(words[0]).name):
                    lines.append(node.lineno)
    return lines


def test_python_is_the_running_interpreter():
    found = [f"{_rel(path)}:{line}" for path in SOURCES for line in _bare_python(_parse(path))]
    assert found == []


@pytest.mark.parametrize(
    "code, caught",
    [
        ('subprocess.run(["python", "-m", "site_builder"])', True),
        ('subprocess.Popen(("python3", "-c", "pass"))', True),
        ('subprocess.run("python -m site_builder validate", shell=True)', True),
        ('subprocess.run(args=["/usr/bin/python3.11", "x.py"])', True),
        ('os.system("python x.py")', True),
        ('subprocess.run([sys.executable, "-m", "site_builder"])', False),
        ('subprocess.run(["git", "python"])', False),
        ('os.execv("python3", ["python3", "x.py"])', True),
        ('asyncio.create_subprocess_exec("python", "x.py")', True),
        ('pytest.skip("python -m pytest tests/test_x.py")', False),  # no program started
        ('"""python -m pytest"""', False),  # a docstring is no call
    ],
)
def test_the_python_check_catches_a_bare_python(code, caught):
    assert bool(_bare_python(ast.parse(code))) is caught


@pytest.mark.parametrize(
    "code, names",
    [
        ("from test_objections import project", ["test_objections"]),
        ("import conftest", ["conftest"]),
        ("def f():\n    from test_output import approve", ["test_output"]),
        ("from .helpers import x", [".helpers"]),
        ("from support.mini import make_mini", []),
    ],
)
def test_the_import_check_catches_a_test_module(code, names):
    assert [n for _, n in _imported(ast.parse(code)) if n in TEST_MODULES or n.startswith(("test_", "."))] == names


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.text() | st.integers() | st.booleans() | st.none(), lambda kids: st.lists(kids, max_size=3)))
def test_the_tests_yaml_writer_writes_what_safe_dump_writes(value):
    """support.yamlfiles.dump_yaml (libyaml's emitter, for speed) writes the text `yaml.safe_dump` writes,
    whatever the characters: the files the tests make are the ones they were made as before."""
    for options in ({"allow_unicode": True, "sort_keys": False, "width": 1000}, {"allow_unicode": True}):
        assert dump_yaml({"r": value}, **options) == yaml.safe_dump({"r": value}, **options)
