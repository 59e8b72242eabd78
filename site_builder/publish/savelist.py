"""`files.txt`: the address of every file of the publication, one a line, for saving the whole site
in one step (`wget -x -nH -i <base_url>files.txt`): every page, data file, the CMS package and
the files reached only through a form or a script, the ledgers, SHA256SUMS and the list itself;
not the output marker (a build's, not a published file). A copy saved so is what `verify` checks."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

SAVE_LIST = "files.txt"


def save_list(base_url: str, names: Iterable[str]) -> str:
    """The list: absolute, percent-encoded addresses, sorted by path."""
    return "".join(f"{base_url}{quote(name, safe='/')}\n" for name in sorted(set(names)))
