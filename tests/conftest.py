"""Shared fixtures: a copy of the repo's data in a temporary project, and a CLI runner.

The helpers behind them live in tests/support/ (a package that test modules import); no test
module imports this file or another test module."""

from __future__ import annotations

import gc
import os
import signal
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest
from hypothesis import settings
from support.browser import chromium_browser  # noqa: F401  (a session fixture)
from support.project import REPO, Project, copy_project, in_process

# In CI every property test runs on the same generated examples (derandomize): a red run is one
# anyone can reproduce, and a green one is not luck of the draw. Locally the examples vary, which is
# how new counterexamples are found (run with CI=1 to get CI's).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

CORE_TESTS = {
    # a mutated module (mutmut's mutant names begin with it) -> the fast tests that check it, in order
    "site_builder.domain.scoring.": ("test_core_scoring.py", "test_core_rules.py", "test_scoring.py"),
    "site_builder.domain.rules.": ("test_core_rules.py", "test_core_scoring.py", "test_scoring.py"),
    "site_builder.read.rubric.": (
        "test_core_rubric.py",
        "test_rubric.py",
        "test_grade_bands.py",
        "test_deduction_rules.py",
    ),
    "site_builder.domain.objections.": ("test_core_dates.py", "test_date_policy.py", "test_objections.py"),
    "site_builder.domain.dates.": ("test_core_dates.py", "test_date_policy.py", "test_objections.py"),
    "site_builder.record.": ("test_core_ledger.py", "test_ledger.py", "test_verify.py"),
    "site_builder.commands.verify.": ("test_verify.py", "test_core_ledger.py", "test_ledger.py"),
}
"""The mutation run's tests by module (docs/testing.md): mutmut runs, for each mutant, the tests of its
selection that reach the mutated function, and stops at the first failure. Of those, only the core's
own tests of that module run, in this order: a mutant of the scoring is not taken through every build
of the ledger's tests, which reach the scoring too but are not what checks it."""


RAM_DISK = Path("/dev/shm")
RAM_DISK_ROOM = 4 * 2**30  # the suite's folders take well under 1 GB at a time (tmp_path_retention_policy)


def pytest_configure(config):
    """The garbage collector's thresholds (`GC_THRESHOLDS`), and the tests' temporary folders on the
    RAM disk when the machine has one with room (Linux's /dev/shm), unless told where (--basetemp, PYTEST_DEBUG_TEMPROOT): a build syncs every file it
    writes to disk (os.fsync, about 3 ms each on this machine's disk, some 40 a build), which is
    what a publication needs and what a test's throwaway folder does not. The product's code is the
    same; only where the tests' folders live changes. Set here, before pytest (and pytest-xdist's
    processes, which inherit it) first makes its numbered folder."""
    gc.set_threshold(*GC_THRESHOLDS)
    if config.option.basetemp or "PYTEST_DEBUG_TEMPROOT" in os.environ:
        return
    try:
        room = os.statvfs(RAM_DISK)
    except OSError:
        return  # no /dev/shm: the system's temporary folder
    if room.f_bavail * room.f_frsize >= RAM_DISK_ROOM and os.access(RAM_DISK, os.W_OK | os.X_OK):
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(RAM_DISK)


GC_THRESHOLDS = (10_000, 20, 50)
"""Python's cyclic garbage collector, in the test processes, every 10,000 allocations instead of 700:
a test process holds a large heap (every test module, Hypothesis, the session's sites), which each
full collection walks; at the default it was about 12% of the CPU of test_ledger.py and
test_verify.py (2.5 of 21.6 s, 5,331 collections; 0.6 s and 166 with these). It still runs, so an
object kept alive only by a cycle is freed within moments as before."""


def pytest_collection_finish(session):
    """What the collection made (the test modules, their strategies) stays for the whole session:
    moved out of the collector's way (gc.freeze)."""
    gc.collect()
    gc.freeze()


HEAVY_FIRST = (
    "test_quality.py",
    "test_incremental.py",
    "test_objections.py",
    "test_verify.py",
    "test_import_in_place.py",
    "test_output.py",
    "test_office.py",
    "test_scan_any_separator.py",
    "test_ledger.py",
    "test_years_independent.py",
    "test_browser_gov.py",
    "test_publish_dates_urls.py",
    "test_paste_editors.py",
    "test_verify_every_byte.py",
    "test_workbook_partial.py",
    "test_serve.py",
)
"""The test modules that take longest, longest first (seconds of a process, measured with the suite's
tests timed one by one, 2026-12-05 at 177d01d: 35 s for test_quality.py down to 5 s; the other modules
take 5 s or less)."""


def pytest_collection_modifyitems(items):
    """The longest modules first (`HEAVY_FIRST`), and in a module its slow tests first. The suite's
    processes (pytest-xdist, `--dist loadfile`) each take the next whole module when they are free:
    the long ones start at once, and what is left at the end, while one process waits for the other,
    is a short module. A whole module to one process: a module's shared set-up (a built site, the
    editors' paste run, a filled workbook) is made once, not once in each process that ran a part of it.

    In the mutation run, for a mutant, the core's own tests of its module alone (CORE_TESTS)."""
    rank = {name: n for n, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: (rank.get(item.path.name, len(rank)), item.get_closest_marker("slow") is None))
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if "__mutmut_" in mutant:
        files = next((names for module, names in CORE_TESTS.items() if mutant.startswith(module)), ())
        rank = {name: n for n, name in enumerate(files)}
        items[:] = sorted((item for item in items if item.path.name in rank), key=lambda item: rank[item.path.name])


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


class _CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates kept in memory for the test session (one per xdist worker), keyed
    by the template's name and source (Jinja's checksum), not by the file it was read from: the
    projects the tests copy hold the same templates in other folders, and a build made in-process
    compiles each template source once per session, not once per project. An edited template has
    another checksum and is compiled again.

    A build with its own compiled-template folder (`SealedBytecode`, site_builder/pages/environment.py)
    still reads and writes that folder as it does outside the suite: this cache is asked only when
    the folder has nothing valid (missing, edited or forged), and what it gives is written to the
    folder as a compiled template would be, so the folder's files and seals are what they would be.
    Only the time of compiling is saved. A test that watches the compiling itself is marked
    `compiles_templates`: this cache is not asked during it."""

    def __init__(self) -> None:
        self.compiled: dict[tuple[str, str], bytes] = {}
        self.asked = True  # False during a test marked compiles_templates

    def layered(self, own: jinja2.BytecodeCache | None) -> jinja2.BytecodeCache:
        return _Layered(self, own)


class _Layered(jinja2.BytecodeCache):
    """One environment's cache: its own (the project's folder, or none), then the session's."""

    def __init__(self, shared: _CompiledTemplates, own: jinja2.BytecodeCache | None) -> None:
        self.shared = shared
        self.own = own
        self.names: dict[str, str] = {}  # bucket key -> template name

    def get_bucket(self, environment, name, filename, source):  # as Jinja's, remembering the name
        self.names[self.get_cache_key(name, filename)] = name
        return super().get_bucket(environment, name, filename, source)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.own is not None:
            self.own.load_bytecode(bucket)
        if bucket.code is None and self.shared.asked:
            compiled = self.shared.compiled.get((self.names[bucket.key], bucket.checksum))
            if compiled is not None:
                bucket.bytecode_from_string(compiled)
                if self.own is not None and bucket.code is not None:
                    self.own.dump_bytecode(bucket)  # as if compiled here: the folder gets its file

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.own is not None:
            self.own.dump_bytecode(bucket)
        self.shared.compiled[(self.names[bucket.key], bucket.checksum)] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def compiled_templates():
    """Every environment the builds of the session make shares one in-memory compiled-template
    cache (about half of a small in-process build is compiling the templates)."""
    from site_builder.pages import environment as module

    made = module.environment
    shared = _CompiledTemplates()

    def environment(templates: Path, compiled=None) -> jinja2.Environment:
        env = made(templates, compiled)
        env.bytecode_cache = shared.layered(env.bytecode_cache)
        return env

    module.environment = environment
    yield shared
    module.environment = made


@pytest.fixture(autouse=True)
def _compiling_watched(request, compiled_templates):
    """A test marked `compiles_templates` sees every template compiled as a build outside the suite would."""
    compiled_templates.asked = request.node.get_closest_marker("compiles_templates") is None
    yield
    compiled_templates.asked = True


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
