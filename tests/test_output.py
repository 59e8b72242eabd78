"""The output folder is never anything but the old or the new site: guards, lock, crash-safe swap,
files written alongside (the publication record), read-only folders and a full disk (issue 11)."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import io
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.mini import approve, make_mini
from support.project import REPO, in_process

from site_builder.build.flow import build as run_build
from site_builder.build.layout import Layout
from site_builder.common.messages import os_error
from site_builder.record.ledger import LEDGER_FILE
from site_builder.storage import swap as swapping
from site_builder.storage.files import named
from site_builder.storage.locks import cache_lock, output_lock
from site_builder.storage.outdir import MARKER
from site_builder.storage.swap import claim_output, recover, replace_output
from site_builder.storage.writer import Writer


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every entry under folder, .git and the cache included (None for folders)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))
    }


def leftovers(out: Path) -> list[str]:
    """What a build leaves beside its output folder."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture
def mini(tmp_path) -> Path:
    root = make_mini(tmp_path / "mini")
    (root / ".git").mkdir()
    (root / ".git/HEAD").write_text("ref: refs/heads/main\n")
    return root


def build(root: Path, *args: str):
    return in_process("build", "--root", str(root), "--jobs", "1", *args)


# --- 1. what --out may be ------------------------------------------------------------------------

REFUSED = "错误：拒绝输出到 {out}：{why}。生成时会整体替换输出目录；请用 --out 指定一个新目录、空目录或以前生成的输出目录（默认 ROOT/output），未写出任何文件\n"


@pytest.mark.parametrize(
    "rel, why",
    [
        (".", "它就是数据根目录 {root}"),
        ("..", "它包含数据根目录 {root}"),
        ("scores", "它就是评分数据目录 {root}/scores"),
        ("scores/2023", "它位于评分数据目录 {root}/scores 之内"),
        ("rubric", "它就是评估表目录 {root}/rubric"),
        ("content/pages", "它位于页面内容目录 {root}/content 之内"),
        (".cache", "它包含缓存目录 {root}/.cache/site_builder"),
        (".git", "它就是版本库 {root}/.git"),
    ],
)
def test_out_may_not_be_the_data_the_root_or_around_them(mini, rel, why):
    before = tree(mini.parent)
    out = (mini / rel).resolve()
    result = build(mini, "--out", str(mini / rel))
    assert result.code == 1
    assert result.err == REFUSED.format(out=out, why=why.format(root=mini))
    assert tree(mini.parent) == before  # nothing touched


def test_out_may_not_be_the_templates_or_the_package(mini, tmp_path):
    result = build(mini, "--out", str(REPO / "templates"))
    assert result.code == 1 and f"它就是模板目录 {REPO / 'templates'}" in result.err
    result = build(mini, "--out", str(REPO))
    assert result.code == 1 and "它包含模板目录" in result.err
    assert (REPO / "site_builder/storage/writer.py").is_file()


def test_out_may_not_be_a_foreign_folder_or_a_file(mini, tmp_path):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"jpeg")
    result = build(mini, "--out", str(foreign))
    assert result.code == 1
    assert result.err == REFUSED.format(
        out=foreign,
        why=(
            f"该目录没有本工具的文件清单（标记文件 {MARKER}），有 1 个不是本工具写出的文件或文件夹：holiday.jpg；"
            "整体替换会删除它们，请先把它们移到别处"
        ),
    )
    assert (foreign / "holiday.jpg").read_bytes() == b"jpeg"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    result = build(mini, "--out", str(a_file))
    assert result.code == 1 and result.err == REFUSED.format(out=a_file, why="它不是目录")
    assert a_file.read_text() == "x"


def test_out_may_be_missing_empty_a_placeholder_or_a_previous_build(mini, tmp_path):
    assert build(mini, "--out", str(tmp_path / "new/deep")).code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(mini, "--out", str(empty)).code == 0
    assert (empty / MARKER).is_file() and "SHA256SUMS" in files(empty)
    # the manifest of what the tool wrote: every file but itself, not a published file (issue 24)
    assert f"  {MARKER}\n" not in (empty / "SHA256SUMS").read_text()
    listed = (empty / MARKER).read_text().splitlines()[3:]
    assert sorted(line.split("  ", 1)[1] for line in listed) == sorted(set(files(empty)) - {MARKER})
    again = build(mini, "--out", str(empty))  # a previous build: replaced
    assert again.code == 0, again.err
    # the repo's output/ holds only its .gitignore: carried over
    (mini / "output").mkdir()
    (mini / "output/.gitignore").write_text("*\n!.gitignore\n")
    assert build(mini).code == 0
    assert (mini / "output/.gitignore").read_text() == "*\n!.gitignore\n"


def test_an_output_without_the_manifest_is_not_replaced_whatever_its_checksums_say(mini, tmp_path):
    """Issue 24 (this test replaced the "older output" rule: a folder whose SHA256SUMS lists every
    file was taken for an output, so a folder of someone's files with a `sha256sum` listing was
    deleted). Only the tool's own manifest proves ownership."""
    out = tmp_path / "old"
    assert build(mini, "--out", str(out)).code == 0
    (out / MARKER).unlink()  # as a build before the marker left it: every file listed in SHA256SUMS
    before = files(out)
    result = build(mini, "--out", str(out))
    assert result.code == 1 and f"该目录没有本工具的文件清单（标记文件 {MARKER}），有 {len(before)} 个" in result.err
    assert files(out) == before


def test_an_empty_or_foreign_marker_does_not_make_a_folder_an_output(mini, tmp_path):
    """D13: a file merely named like the marker (empty, other text, a symlink to the real one) gets
    nothing deleted; and even the real marker (a manifest) owns only the files it lists (issue 24)."""
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"PK chapter one")
    real = tmp_path / "real"
    assert build(mini, "--out", str(real)).code == 0
    marker_text = (real / MARKER).read_bytes()
    for fake in (b"", b"x", marker_text + b"\n", marker_text[:-1], None):
        (folder / MARKER).unlink(missing_ok=True)
        if fake is None:
            (folder / MARKER).symlink_to(real / MARKER)
        else:
            (folder / MARKER).write_bytes(fake)
        result = build(mini, "--out", str(folder))
        assert result.code == 1
        assert result.err == REFUSED.format(
            out=folder,
            why=(
                f"该目录没有本工具的文件清单（标记文件 {MARKER}），有 2 个不是本工具写出的文件或文件夹："
                f"{MARKER}、thesis.docx；整体替换会删除它们，请先把它们移到别处"
            ),
        )
        assert sorted(p.name for p in folder.iterdir()) == [MARKER, "thesis.docx"]
        assert (folder / "thesis.docx").read_bytes() == b"PK chapter one"
    (folder / MARKER).unlink()
    (folder / MARKER).write_bytes(marker_text)  # the real marker lists the files of `real`, not thesis.docx
    result = build(mini, "--out", str(folder))
    assert result.code == 1 and "thesis.docx；整体替换会删除它们" in result.err
    assert (folder / "thesis.docx").read_bytes() == b"PK chapter one"


def test_a_marker_inside_the_data_does_not_make_it_an_output(mini):
    (mini / "scores" / MARKER).write_text("x")
    result = build(mini, "--out", str(mini / "scores"))
    assert result.code == 1 and "它就是评分数据目录" in result.err


# --- 2. one build at a time ---------------------------------------------------------------------


def test_a_second_build_on_the_same_output_is_refused_while_one_runs(mini):
    assert build(mini).code == 0
    before = files(mini / "output")
    out = (mini / "output").resolve()
    with output_lock(out):
        result = build(mini, "--no-cache")
    assert result.code == 1
    assert result.err == (
        f"错误：另一个生成过程正在写入输出目录 {out}（锁文件 {out.parent}/.output.lock）；"
        "请等它结束后再运行，未写出任何文件\n"
    )
    assert files(mini / "output") == before
    cache = mini / ".cache/site_builder"
    with cache_lock(cache):
        result = build(mini, "--out", str(mini / "other"))
    assert result.code == 1
    assert result.err == (
        f"错误：另一个生成过程正在使用缓存目录 {cache}（锁文件 {cache}/lock）；请等它结束后再运行，"
        "或加 --no-cache，未写出任何文件\n"
    )
    assert not (mini / "other").exists()
    with cache_lock(cache):
        assert build(mini, "--out", str(mini / "other"), "--no-cache").code == 0


def test_concurrent_builds_in_real_processes_never_break_the_output(mini, tmp_path):
    assert build(mini, "--out", str(tmp_path / "ref"), "--no-cache").code == 0
    reference = files(tmp_path / "ref")
    for _round in range(2):
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "site_builder", "build", "--root", str(mini), "--jobs", "1"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            for _ in range(4)
        ]
        results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
        for code, _out, err in results:
            assert "Traceback" not in err
            assert code == 0 or re.fullmatch(
                r"错误：另一个生成过程正在(写入输出目录|使用缓存目录) .*未写出任何文件\n", err
            ), err
        assert any(code == 0 for code, _o, _e in results)
        assert files(mini / "output") == reference
        assert leftovers(mini / "output") == []


# --- 3. the swap: old or new at every instant ---------------------------------------------------


def _killed_at(step: str, root: Path, publish: bool = False, fallback: bool = False) -> bool:
    """Run the build of `root` in a forked child that SIGKILLs itself at `step`; True if it died there."""

    def kill_at(name: str) -> None:
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)

    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            if fallback:
                swapping.exchange = lambda a, b: False  # a file system without renameat2
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                run_build(
                    Layout.from_args(root=str(root)),
                    publish_mode=publish,
                    workers=1,
                    on_step=kill_at,
                    today=dt.date(2030, 1, 1),
                )
        finally:
            os._exit(0)
    _pid, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def _rename_m02(root: Path, name: str) -> None:
    roster = root / "scores/2023/roster.yaml"
    text = roster.read_text(encoding="utf-8")
    roster.write_text(re.sub("[丁戊]职业中学校", name, text), encoding="utf-8")


@pytest.mark.parametrize("fallback", [False, True], ids=["renameat2", "two-renames"])
def test_killing_the_build_at_any_step_leaves_the_old_or_the_new_output(mini, tmp_path, fallback):
    out = mini / "output"
    assert build(mini).code == 0
    old = files(out)
    _rename_m02(mini, "戊职业中学校")
    assert build(mini, "--out", str(tmp_path / "ref"), "--no-cache").code == 0
    new = files(tmp_path / "ref")
    assert new != old
    steps = ["journaled", "filled", "flushed"] + (["old-moved"] if fallback else []) + ["swapped", "committed"]
    seen = []
    for step in steps:
        assert _killed_at(step, mini, fallback=fallback), step
        if out.exists():
            now = files(out)
            assert now in (old, new), step
            seen.append("new" if now == new else "old")
        else:
            seen.append("missing")  # only allowed for the instant the journal covers
        with output_lock(out):
            recover(out.resolve())  # what the next run does first
        assert files(out) in (old, new), step
        assert leftovers(out) == [], step
        if files(out) == new:  # back to the old data for the next step
            _rename_m02(mini, "丁职业中学校")
            assert build(mini).code == 0 and files(out) == old
            _rename_m02(mini, "戊职业中学校")
    expected_seen = ["old", "old", "old"] + (["missing"] if fallback else []) + ["new", "new"]
    assert seen == expected_seen
    assert build(mini).code == 0 and files(out) == new and leftovers(out) == []


def test_a_crash_between_the_fallback_renames_is_finished_by_the_next_build(mini, tmp_path):
    out = mini / "output"
    assert build(mini).code == 0
    _rename_m02(mini, "戊职业中学校")
    assert build(mini, "--out", str(tmp_path / "ref"), "--no-cache").code == 0
    assert _killed_at("old-moved", mini, fallback=True)
    assert not out.exists()
    assert build(mini).code == 0  # recovers, then builds
    assert files(out) == files(tmp_path / "ref") and leftovers(out) == []


def test_killing_the_first_build_leaves_no_output_or_the_whole_new_one(mini, tmp_path):
    out = mini / "output"
    assert build(mini, "--out", str(tmp_path / "ref"), "--no-cache").code == 0
    for step, expected in [("journaled", None), ("filled", None), ("flushed", "new"), ("swapped", "new")]:
        assert _killed_at(step, mini), step
        with output_lock(out):
            recover(out.resolve())
        assert leftovers(out) == [], step
        if expected is None:
            assert not out.exists(), step  # a half-written staging folder never becomes the output
        else:
            assert files(out) == files(tmp_path / "ref"), step
            shutil.rmtree(out)


def test_everything_is_flushed_before_the_swap(mini, monkeypatch):
    assert build(mini).code == 0
    events = []
    real = {name: getattr(swapping, name) for name in ("flush_tree", "fsync_dir", "exchange")}
    for name in real:
        monkeypatch.setattr(swapping, name, lambda *a, _n=name: (events.append((_n, a[-1].name)), real[_n](*a))[1])
    assert build(mini, "--no-cache").code == 0  # a build that runs (nothing changed would skip it)
    flush = [e[0] for e in events].index("flush_tree")
    assert events[flush][1].startswith(".output.build-")  # the staging tree
    swap = events.index(("exchange", "output"))
    assert flush < swap and ("fsync_dir", mini.name) in events[flush:swap]  # and the folder it sits in
    assert ("fsync_dir", mini.name) in events[swap + 1 :]  # the swap itself on disk


def test_leftovers_of_a_crashed_run_are_removed(mini):
    assert build(mini).code == 0
    for name in (".output.build-x1", ".output.old-x2"):
        (mini / name / "2023").mkdir(parents=True)
        (mini / name / "2023/index.html").write_text("partial")
    (mini / ".output.journal.json").write_text('{"staging": "')  # a journal cut short: nothing swapped
    assert build(mini).code == 0
    assert leftovers(mini / "output") == []


# --- 4. files written with the site: both or neither ------------------------------------------


def test_publish_writes_the_site_and_the_record_together_or_neither(mini, tmp_path, monkeypatch):
    approve(mini)
    out, record = mini / "output", mini / "scores/2023" / LEDGER_FILE
    assert build(mini).code == 0
    old = files(out)
    real_replace = os.replace

    def failing(src, dst, *a, **kw):
        if str(dst).endswith(f"scores/2023/{LEDGER_FILE}"):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_replace(src, dst, *a, **kw)

    _rename_m02(mini, "戊职业中学校")
    monkeypatch.setattr(swapping.os, "replace", failing)
    result = build(mini, "--publish")
    monkeypatch.undo()
    assert result.code == 1
    assert result.err == (
        f"错误：无法写入 {record}：磁盘空间不足（或超出配额）；请清理磁盘后重试；输出目录保持上一次的内容，未改动\n"
    )
    assert files(out) == old and not record.exists()  # the site was swapped back
    assert leftovers(out) == [] and [p.name for p in record.parent.iterdir() if p.name.startswith(".")] == []
    result = build(mini, "--publish")
    assert result.code == 0, result.err
    assert record.is_file() and "戊职业中学校".encode() in (out / "2023/roster/index.html").read_bytes()


def test_killing_a_publish_at_any_step_leaves_site_and_record_together(mini, tmp_path):
    approve(mini)
    out, record = mini / "output", mini / "scores/2023" / LEDGER_FILE
    assert build(mini).code == 0
    old = files(out)
    shutil.copytree(out, tmp_path / "saved")
    _rename_m02(mini, "戊职业中学校")
    for step in ["journaled", "filled", "flushed", "swapped", "placed", "committed"]:
        assert _killed_at(step, mini, publish=True), step
        with output_lock(out):
            recover(out.resolve())
        assert leftovers(out) == [] and not list(record.parent.glob(f".{LEDGER_FILE}.*")), step
        site_is_new = files(out) != old
        assert site_is_new == record.is_file(), step
        assert site_is_new == (step in ("swapped", "placed", "committed")), step
        record.unlink(missing_ok=True)  # back to before the publication
        shutil.rmtree(out)
        shutil.copytree(tmp_path / "saved", out)


def test_replace_output_rolls_back_every_file_written_alongside(tmp_path, monkeypatch):
    out = tmp_path / "site"
    a, b = tmp_path / "data/a.json", tmp_path / "data/b.json"
    a.parent.mkdir()
    a.write_text("old a")
    with claim_output(out) as real:
        replace_output(real, lambda w: w.write("index.html", "one"))
    real_replace = os.replace

    def fail_on_b(src, dst, *args, **kw):
        if Path(dst) == b:
            raise OSError(errno.EIO, "I/O error", str(dst))
        return real_replace(src, dst, *args, **kw)

    monkeypatch.setattr(swapping.os, "replace", fail_on_b)
    with pytest.raises(OSError), claim_output(out) as real:
        replace_output(real, lambda w: w.write("index.html", "two"), {a: b"new a", b: b"new b"})
    monkeypatch.undo()
    assert (out / "index.html").read_text() == "one"
    assert a.read_text() == "old a" and not b.exists()
    assert sorted(p.name for p in a.parent.iterdir()) == ["a.json"]
    with claim_output(out) as real:
        replace_output(real, lambda w: w.write("index.html", "three"), {a: b"new a", b: b"new b"})
    assert (out / "index.html").read_text() == "three" and a.read_text() == "new a" and b.read_text() == "new b"


# --- 5. read-only folders and a full disk -------------------------------------------------------


def test_a_full_disk_while_writing_gives_one_message_and_keeps_the_output(mini, monkeypatch):
    assert build(mini).code == 0
    before = files(mini / "output")

    def full(self, rel, data):
        raise named(OSError(errno.ENOSPC, "No space left on device"), self.staging / rel)

    monkeypatch.setattr(Writer, "write", full)
    result = build(mini, "--no-cache")
    assert result.code == 1
    assert re.fullmatch(
        r"错误：无法写入 \S+/\.output\.build-\w+/\S+：磁盘空间不足（或超出配额）；"
        r"请清理磁盘后重试；输出目录保持上一次的内容，未改动\n",
        result.err,
    ), result.err
    assert files(mini / "output") == before and leftovers(mini / "output") == []


def test_permission_denied_gives_one_message(mini, monkeypatch):
    assert build(mini).code == 0
    before = files(mini / "output")

    def denied(*args, **kw):
        raise PermissionError(errno.EACCES, "Permission denied", str(mini))

    monkeypatch.setattr(swapping.tempfile, "mkdtemp", denied)
    result = build(mini, "--no-cache")
    assert result.err == (
        f"错误：无法写入 {mini}：没有写入权限；请检查该目录的权限，或换一个可写的位置；"
        "输出目录保持上一次的内容，未改动\n"
    )
    assert result.code == 1 and files(mini / "output") == before


@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    if (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_a_really_full_disk(mini, tmp_path):
    assert build(mini, "--out", str(tmp_path / "measure"), "--no-cache").code == 0
    used = sum(-(-p.stat().st_size // 4096) * 4096 if p.is_file() else 4096 for p in (tmp_path / "measure").rglob("*"))
    with tmpfs(tmp_path / "small", f"{used * 3 // 2 // 1024}k") as disk:  # room for one output, not for two
        out = disk / "output"
        assert build(mini, "--out", str(out), "--no-cache").code == 0
        before = files(out)
        _rename_m02(mini, "戊职业中学校")
        result = build(mini, "--out", str(out), "--no-cache")
        assert result.code == 1
        assert re.fullmatch(
            r"错误：无法写入 \S+：磁盘空间不足（或超出配额）；请清理磁盘后重试；输出目录保持上一次的内容，未改动\n",
            result.err,
        ), result.err
        assert files(out) == before and leftovers(out) == []


def test_a_read_only_output_and_a_read_only_cache(mini, tmp_path):
    with tmpfs(tmp_path / "ro", "4m") as disk:
        out = disk / "output"
        assert build(mini, "--out", str(out), "--no-cache").code == 0
        before = files(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = build(mini, "--out", str(out), "--no-cache")
        assert result.code == 1
        assert result.err == (
            f"错误：无法写入 {disk}/.output.lock：所在的文件系统是只读的；请重新以可写方式挂载，"
            "或换一个可写的位置；输出目录保持上一次的内容，未改动\n"
        )
        assert files(out) == before
    with tmpfs(tmp_path / "root", "8m") as root:
        shutil.copytree(mini, root, dirs_exist_ok=True)
        subprocess.run(["mount", "-o", "remount,ro", str(root)], check=True)
        result = build(root, "--out", str(tmp_path / "out"))
        assert result.code == 1
        assert result.err == (
            f"错误：无法写入 {root}/.cache/site_builder/lock：所在的文件系统是只读的；请重新以可写方式挂载，"
            "或换一个可写的位置（这是页面缓存；也可加 --no-cache 不用缓存）；输出目录保持上一次的内容，未改动\n"
        )
        assert build(root, "--out", str(tmp_path / "out"), "--no-cache").code == 0


def test_any_other_os_error_is_named_too():
    assert os_error(OSError(errno.EIO, "I/O error", "/x"), writing=True) == "无法写入 /x：I/O error"


def test_a_record_that_cannot_be_written_is_named_and_nothing_changes(mini, monkeypatch):
    approve(mini)
    out, record = mini / "output", mini / "scores/2023" / LEDGER_FILE
    assert build(mini).code == 0
    before = files(out)

    def read_only(path, raw):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(swapping, "write_new", read_only)
    result = build(mini, "--publish")
    assert result.code == 1
    assert result.err == (
        f"错误：无法写入 {record}：所在的文件系统是只读的；请重新以可写方式挂载，"
        "或换一个可写的位置；输出目录保持上一次的内容，未改动\n"
    )
    assert files(out) == before and not record.exists() and leftovers(out) == []
