"""Where a build's inputs and output live: the data root and the folders under it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from site_builder.storage.hashes import PACKAGE
from site_builder.storage.writer import SITE_OUTPUT


def package_templates() -> Path:
    """The templates that ship with the package: the repo's top-level templates/, which pyproject's
    package-dir installs as site_builder/templates (`pip install .`). In an editable install or a
    checkout the package's own folder has none (setuptools' editable import hook does not map a
    folder without `__init__.py` inside the package), and the top-level folder itself is used."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


PACKAGE_TEMPLATES = package_templates()


@dataclass(frozen=True)
class Layout:
    """Where inputs and output live. Defaults are relative to `root` (the repo); the templates are
    the root's own templates/ when it has one, else the package's (PACKAGE_TEMPLATES)."""

    root: Path
    scores: Path
    rubric: Path
    content: Path
    out: Path
    templates: Path = PACKAGE_TEMPLATES

    @property
    def cache(self) -> Path:
        """The page cache, under the data root (git-ignored)."""
        return self.root / ".cache" / "site_builder"

    def protected(self, site: bool = False) -> dict[str, Path]:
        """Folders an output may neither be, contain nor lie inside (label -> path); with `site`,
        the site's output folder too: for whatever is not the site (the office's documents, the
        workbook, synthetic data), which would be uploaded with it."""
        return {
            **({SITE_OUTPUT: self.out} if site else {}),
            "评分数据目录": self.scores,
            "评估表目录": self.rubric,
            "页面内容目录": self.content,
            "模板目录": self.templates,
            "缓存目录": self.cache,
            "版本库": self.root / ".git",
            "程序目录": PACKAGE,
        }

    @classmethod
    def from_args(
        cls,
        root: str | None = None,
        scores: str | None = None,
        rubric: str | None = None,
        content: str | None = None,
        out: str | None = None,
    ) -> Layout:
        base = Path(root or ".")
        return cls(
            root=base,
            scores=Path(scores) if scores else base / "scores",
            rubric=Path(rubric) if rubric else base / "rubric",
            content=Path(content) if content else base / "content",
            out=Path(out) if out else base / "output",
            templates=(base / "templates").resolve() if (base / "templates").is_dir() else PACKAGE_TEMPLATES,
        )
