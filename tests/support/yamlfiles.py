"""YAML as the tests read and write it: PyYAML's safe loader on libyaml's C parser (the same results as
`yaml.safe_load`, about eight times faster on the rubric), and its safe dumper on libyaml's emitter
(the same text as `yaml.safe_dump`, but for a character beyond U+FFFF and U+0085, which libyaml
writes as an escape: such data is written by PyYAML's own emitter; checked for every character).
A test that is about how a reader sees a file names its reader itself."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader


def dump_yaml(data: Any, **options: Any) -> str:
    """`yaml.safe_dump(data, **options)`: on libyaml's emitter when present, unless that escaped a
    character `yaml.safe_dump` writes as it is (`\\U`: beyond U+FFFF, such as 𠮷 or an emoji;
    `\\N`: U+0085)."""
    text = yaml.dump(data, Dumper=_DUMPER, **options)
    return yaml.safe_dump(data, **options) if "\\U" in text or "\\N" in text else text
