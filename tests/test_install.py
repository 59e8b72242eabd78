"""The package as pip installs it: its sub-packages and the default templates go with it (pyproject's
package list and package-dir), and a data root's own templates/ overrides those."""

from __future__ import annotations

import filecmp
import os
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from site_builder.build.flow import build
from site_builder.build.layout import PACKAGE_TEMPLATES, Layout
from site_builder.commands.synth import synth_command
from site_builder.storage import stamp

REPO = Path(__file__).resolve().parent.parent
P01_PAGE = "2023/institutions/P001/index.html"  # synth names institutions P001, M001, ...


def _synth(out: Path, n: int = 5) -> Path:
    """A data root as `synth` makes it: scores/, rubric/ and content/ only, no templates/."""
    synth_command(Layout.from_args(str(REPO)), out, n, 1)
    assert sorted(p.name for p in out.iterdir()) == [
        ".site-builder-output",
        "content",
        "rubric",
        "scores",
    ]  # + manifest
    return out


def test_every_sub_package_and_data_file_is_installed():
    """A sub-package missing from pyproject's explicit list, or a file other than Python source that
    no package-data pattern names, would be left out of `pip install .` (an editable install does
    not notice: it imports and reads from the folders)."""
    tool = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages = set(tool["packages"])
    folders = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "site_builder").rglob("__init__.py")}
    assert not folders - packages, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(folders - packages)}"
    assert packages - folders == {"site_builder.templates"}
    assert tool["package-dir"] == {"site_builder.templates": "templates"}

    def folder(package: str) -> Path:
        return REPO / tool["package-dir"].get(package, package.replace(".", "/"))

    data = tool["package-data"]
    for package in sorted(packages):
        inner = [folder(p) for p in packages if p.startswith(package + ".")]
        files = {
            p
            for p in folder(package).rglob("*")
            if p.is_file()
            and p.suffix not in (".py", ".pyc")
            and not any(f in p.parents for f in inner)
            and "__pycache__" not in p.parts
        }
        shipped = {p for pattern in data.get(package, []) + data.get("*", []) for p in folder(package).glob(pattern)}
        assert files <= shipped, (
            f"add to [tool.setuptools.package-data] {package!r}: {sorted(map(str, files - shipped))}"
        )
    assert (folder("site_builder.templates") / "base.html").is_file()


def test_a_root_without_templates_uses_the_packages(tmp_path):
    """In a checkout (editable install) the package's templates are the repo's top-level folder."""
    assert PACKAGE_TEMPLATES == (REPO / "templates").resolve()
    root = _synth(tmp_path / "data")
    assert Layout.from_args(str(root)).templates == PACKAGE_TEMPLATES
    assert Layout.from_args(str(REPO)).templates == PACKAGE_TEMPLATES  # the repo is a root with its own


def test_a_roots_own_templates_override_the_packages_and_the_cache_follows(tmp_path):
    root = _synth(tmp_path / "data")
    out = tmp_path / "out"
    build(Layout.from_args(str(root), out=str(out)), cache=True)
    page = (out / P01_PAGE).read_text(encoding="utf-8")
    assert "返回机构名单" in page

    shutil.copytree(PACKAGE_TEMPLATES, root / "templates")
    layout = Layout.from_args(str(root), out=str(out))
    assert layout.templates == (root / "templates").resolve()
    stamp.forget(layout.cache)  # the page cache is what is tested here, not the up-to-date stamp
    assert build(layout, cache=True)[2].reused > 0  # the same templates: every page from the cache

    inst = root / "templates" / "institution.html"
    inst.write_text(inst.read_text(encoding="utf-8").replace("返回机构名单", "返回名单"), encoding="utf-8")
    again = build(Layout.from_args(str(root), out=str(out)), cache=True)[2]
    assert again.reused == 0
    assert "返回名单" in (out / P01_PAGE).read_text(encoding="utf-8")


def _same_tree(a: Path, b: Path) -> list[str]:
    """Files that differ between two folders, or are in only one of them."""
    files = {p.relative_to(a) for p in a.rglob("*") if p.is_file()} | {
        p.relative_to(b) for p in b.rglob("*") if p.is_file()
    }
    return sorted(
        str(f) for f in files if not ((a / f).is_file() and (b / f).is_file() and filecmp.cmp(a / f, b / f, False))
    )


@pytest.mark.slow
def test_a_non_editable_install_builds_a_synthetic_root(tmp_path):
    """`pip install .` into a fresh venv, then `synth` and a build from a folder that is not the repo:
    the site equals the checkout's build of the same root byte for byte.

    The package is built as pip does it (in an isolated build environment, setuptools from the
    registries already configured, as for the editable install the suite runs in), without its
    dependencies: those come from the running environment, whose site-packages a .pth file in the new
    venv appends to sys.path after the venv's own (the .pth files found there, such as the editable
    install's import hook, are not run), so the new venv's site_builder is the one imported."""
    src = tmp_path / "src"  # what an sdist holds; the build writes build/ and *.egg-info there, not in the repo
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for name in ("site_builder", "templates"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    purelib = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (purelib / "running-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(src)]
    subprocess.run(pip, env=env, check=True)

    elsewhere = tmp_path / "elsewhere"  # not the repo, which holds a templates/ folder and site_builder/
    elsewhere.mkdir()

    def run(*args: str | Path) -> str:
        done = subprocess.run(args, cwd=elsewhere, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = run(python, "-c", "import site_builder.build.layout as f; print(f.__file__); print(f.PACKAGE_TEMPLATES)")
    assert where.splitlines() == [
        str(purelib / "site_builder" / "build" / "layout.py"),
        str(purelib / "site_builder" / "templates"),
    ]
    run(python, "-m", "site_builder", "synth", "--root", REPO, "--institutions", "5", "--out", "data")
    assert sorted(p.name for p in (elsewhere / "data").iterdir()) == [
        ".site-builder-output",
        "content",
        "rubric",
        "scores",
    ]
    assert "已生成到 site" in run(venv / "bin" / "xz-site", "build", "--root", "data", "--out", "site", "--jobs", "1")
    run(sys.executable, "-m", "site_builder", "build", "--root", "data", "--out", "ref", "--no-cache", "--jobs", "1")
    assert (elsewhere / "site" / P01_PAGE).is_file()
    assert _same_tree(elsewhere / "site", elsewhere / "ref") == []
