"""Shared fixtures: a copy of the repo's data in a temporary project, and a CLI runner.

The helpers behind them live in tests/support/ (a package that test modules import); no test
module imports this file or another test module."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from support.browser import chromium_browser  # noqa: F401  (a session fixture)
from support.project import REPO, Project, copy_project, in_process

CORE_FIRST = (
    "test_core_scoring.py",
    "test_core_rubric.py",
    "test_core_rules.py",
    "test_core_dates.py",
    "test_scoring.py",
    "test_rubric.py",
    "test_grade_bands.py",
    "test_deduction_rules.py",
    "test_verify.py",
    "test_core_ledger.py",
)
"""The core's own tests, fastest first: in the mutation run they go first."""


def pytest_collection_modifyitems(items):
    """The slow tests first: with the tests spread over processes (pytest-xdist), the longest one then
    starts at once instead of running alone at the end while the other processes wait.

    In the mutation run (docs/testing.md: mutmut runs, for each mutant, the tests that reach the
    mutated function and stops at the first failure) the core's own tests go first: a mutant they
    kill is not first taken through every build of the slower tests."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    if "__mutmut_" in os.environ.get("MUTANT_UNDER_TEST", ""):
        rank = {name: n for n, name in enumerate(CORE_FIRST)}
        items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session", autouse=True)
def cache_key_dir(tmp_path_factory) -> Path:
    """The cache's secret key lives in a temporary folder for the whole session (subprocesses inherit
    it): tests never read or write the real ~/.config/site_builder/cache.key."""
    folder = tmp_path_factory.mktemp("cache-key")
    old = os.environ.get("SITE_BUILDER_KEY_DIR")
    os.environ["SITE_BUILDER_KEY_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("SITE_BUILDER_KEY_DIR", None)
    else:
        os.environ["SITE_BUILDER_KEY_DIR"] = old


@pytest.fixture(autouse=True)
def restore_signal_handlers():
    """A command run in-process may install handlers (`serve` turns SIGTERM into KeyboardInterrupt);
    left installed, they are inherited by the build's forked pool workers, which then survive the
    pool's SIGTERM and hang the session. Every test starts and ends with the handlers pytest had."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        if signal.getsignal(sig) is not handler:
            signal.signal(sig, handler)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_project(tmp_path / "proj")


@pytest.fixture
def clean(project: Project) -> Project:
    """The repo's data with P05's sheet replaced by a full-marks sheet that tests edit."""
    project.write_clean_sheet("P05")
    return project


@pytest.fixture(scope="session")
def repo_site(tmp_path_factory) -> Path:
    """The repo's own data built once per session (per xdist worker) for the read-only page checks
    (quality, search, WeChat). Without the cache: nothing is written under the repo, so concurrent
    workers never meet on its cache lock."""
    out = tmp_path_factory.mktemp("repo-site") / "out"
    result = in_process("build", "--root", str(REPO), "--out", str(out), "--jobs", "1", "--no-cache")
    assert result.code == 0, result.err
    return out


@pytest.fixture
def run_main():
    """Run the CLI in-process (fast); returns CliResult."""
    return in_process
