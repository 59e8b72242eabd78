"""The one writer: every output file goes through `Writer`, into the staging folder of a build
(`swap.Staging`), which becomes the output at the end; every single file outside an output folder
(`workbook --out`, `import`'s sheets) goes through `replace_file`."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from site_builder.errors import BuildError
from site_builder.storage.files import atomic_write, named
from site_builder.storage.outdir import read_manifest


class Writer:
    """Collects files in a staging folder; refuses a path written twice or one outside the output."""

    def __init__(self, staging: Path):
        self.staging = staging
        self.written: dict[str, str] = {}  # relative posix path -> sha256

    def _target(self, rel: str) -> tuple[str, Path]:
        path = PurePosixPath(rel)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise BuildError(f"拒绝写出输出目录之外的路径：{rel}")
        key = path.as_posix()
        if key in self.written:
            raise BuildError(f"同一路径被写了两次：{key}")
        target = self.staging.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return key, target

    def write(self, rel: str, data: str | bytes) -> str:
        key, sha = self.put(rel, data)
        self.register(key, sha)
        return sha

    def put(self, rel: str, data: str | bytes, sha: str | None = None) -> tuple[str, str]:
        """Write one file without recording it: (its path, its sha256). A worker process writes its
        pages this way; the build records them with `register`, which refuses a path written twice.
        `sha`: the SHA-256 of `data` when the caller has just checked it (a verified cache object)."""
        key, target = self._target(rel)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        try:
            target.write_bytes(raw)
        except OSError as exc:
            raise named(exc, target) from None
        return key, sha or hashlib.sha256(raw).hexdigest()

    def register(self, key: str, sha: str) -> None:
        if key in self.written:
            raise BuildError(f"同一路径被写了两次：{key}")
        self.written[key] = sha

    def sha256(self, rel: str) -> str:
        return self.written[rel]

    def read(self, rel: str) -> bytes:
        """A file already written by this build."""
        return self.staging.joinpath(*PurePosixPath(rel).parts).read_bytes()


DATA_NAMES = ("ledger.json", "site.yaml")  # data files of a project, wherever they lie
RECORD = "written-files.json"  # in the project's cache folder: the single files the tool wrote (path -> sha256)


def _record(record_dir: Path | None) -> dict[str, str]:
    if record_dir is None:
        return {}
    try:
        doc = json.loads((record_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in doc.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(doc, dict) else {}


SITE_OUTPUT = "网站输出目录"  # the label of the site's output folder among the folders a file may not lie in


def in_site_output(path: Path, data_dirs: Mapping[str, Path]) -> str | None:
    """Why `path`, a file that is not part of the site, may not be written there: it lies in the
    site's output folder (`data_dirs[SITE_OUTPUT]`) or in any folder the tool's manifest marks as a
    site it built (another --out): everything in it is uploaded, and published, with the site."""
    p = Path(os.path.realpath(path))
    site = data_dirs.get(SITE_OUTPUT)
    folders = [Path(os.path.realpath(site))] if site is not None else []
    folders += [parent for parent in p.parents if read_manifest(parent) is not None]
    for folder in folders:
        if p == folder or folder in p.parents:
            return (
                f"它位于{SITE_OUTPUT} {folder} 之内，该目录整个上传到网站，放进去的文件会被公开"
                "（加 --force 也不会写）；请换一个不在网站输出目录里的位置"
            )
    return None


def is_data_file(path: Path, data_dirs: Mapping[str, Path]) -> str | None:
    """Why `path` may not be written by a command that writes no data: it lies in the site's output
    folder (`in_site_output`) or one of the project's folders (`data_dirs`, label -> folder), or it
    is an existing ledger.json or site.yaml."""
    if what := in_site_output(path, data_dirs):
        return what
    p = Path(os.path.realpath(path))
    for label, folder in data_dirs.items():
        f = Path(os.path.realpath(folder))
        if p == f or f in p.parents:
            return f"它位于{label} {folder} 之内，本命令不会在项目的数据目录中写文件（加 --force 也不会）；请换一个位置"
    if p.name in DATA_NAMES and os.path.lexists(path):
        return f"它是项目的数据文件（{p.name}），不会被覆盖（加 --force 也不会）；请换一个文件名"
    return None


def replace_file(
    path: Path,
    data: bytes | str,
    data_dirs: Mapping[str, Path],
    force: bool = False,
    record_dir: Path | None = None,
    data_file: bool = False,
) -> None:
    """The one writer of a single file outside an output folder (`workbook --out`, `import`'s sheets).

    An existing file is replaced only when the tool wrote it and nobody changed it since (the record
    in `record_dir` holds its SHA-256) or with `force`; never a data file of the project (a file
    under `data_dirs`, a ledger.json or site.yaml) whatever `force` says — unless `data_file`: the
    command writes data by design (`import`'s score sheets, which it compares itself). Written at
    once (`atomic_write`), with the file's own mode or the umask's; recorded afterwards."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    what = in_site_output(path, data_dirs) if data_file else is_data_file(path, data_dirs)
    if what:
        raise BuildError(f"拒绝写出 {path}：{what}，未写出任何文件")
    if os.path.lexists(path):
        if path.is_symlink() or not path.is_file():
            raise BuildError(f"拒绝写出 {path}：该路径已存在且不是普通文件；请换一个文件名，未写出任何文件")
        key = os.path.realpath(path)
        mine = _record(record_dir).get(key)
        if not force and not data_file and (mine is None or hashlib.sha256(path.read_bytes()).hexdigest() != mine):
            raise BuildError(
                f"拒绝覆盖 {path}：该文件已存在，且不是本工具写出的（或写出后被改动过，例如已填写的评分工作簿）；"
                "请换一个文件名，或确认可以覆盖后加 --force，未写出任何文件"
            )
    try:
        atomic_write(path, raw)
    except OSError as exc:
        raise named(exc, path) from None
    if record_dir is not None and not data_file:
        record = _record(record_dir)
        record[os.path.realpath(path)] = hashlib.sha256(raw).hexdigest()
        try:
            atomic_write(record_dir / RECORD, json.dumps(record, ensure_ascii=False, sort_keys=True, indent=0))
        except OSError:
            pass  # unrecorded: the next run asks for --force, nothing is lost
