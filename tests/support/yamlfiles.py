"""YAML as the tests read it: PyYAML's safe loader on libyaml's C parser (the same results as
`yaml.safe_load`, about eight times faster on the rubric). A test that is about how a reader sees a
file names its reader itself."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
