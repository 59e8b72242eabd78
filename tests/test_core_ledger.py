"""The publication ledger's chain at its boundaries, through `validate` and `build --publish` on the
mini project approved and published on 2024-01-15 (tests/test_ledger.py has the 13 ways around it):

- a correction dated on the day of the first publication is published, one the day before is not;
- an entry is dated by the newest correction it includes, and dates never go back along the chain;
- a ledger rewritten consistently (each hash recomputed) still fails where its numbers or dates
  do not follow each other;
- the previous publication (`--previous`) holds the repo's ledger to what was published;
- `read_ledger` on ledgers written by hand (no build: fast, the mutation run's first tests): a whole
  one read, each way of a broken one reported, the file and the way to restore it named.

Every message is checked whole.
"""

from __future__ import annotations

import json
import shutil

import pytest
from support.ledger import (
    build,
    correction,
    ledger_doc,
    problems,
    set_item,
    validate,
    write_corrections,
    write_ledger,
)
from support.mini import approved_mini

LEDGER = "scores/2023/ledger.json"
RESTORE = f"它由 build --publish 写出，不能手改；请从版本库恢复（git checkout -- {LEDGER}）"
FIX_1_02 = "{indicator: 1-02, old: 0, new: 1}"
FIX_2_01 = "{indicator: 2-01, old: 0.75, new: 1}"


@pytest.fixture(scope="module")
def published_once(tmp_path_factory):
    root = approved_mini(tmp_path_factory.mktemp("published"))
    result = build(root, "--publish")
    assert result.code == 0, result.err
    return root


@pytest.fixture
def published(published_once, tmp_path):
    """The approved mini project published once (2024-01-15); each test has its own copy."""
    root = tmp_path / "m"
    shutil.copytree(published_once, root)
    return root


def _publish(root, *entries):
    """P01's 1-02 (and 2-01 for a second correction) raised to 1, corrected as `entries` say, published."""
    set_item(root, "P01", "1-02", 1)
    if len(entries) > 1:
        set_item(root, "P01", "2-01", 1)
    write_corrections(root, *entries)
    return build(root, "--publish")


# --- the shape of a ledger: the first problem in the order a reader fixes them (first: the fastest) ---


def _entry(**changes) -> dict:
    """A first entry of the ledger's shape (values of the right types), changed as given; a value
    None removes the key."""
    entry = {
        "n": 1,
        "date": "2024-01-15",
        "previous": None,
        "corrections": [],
        "inputs": {},
        "state_sha256": "0" * 64,
        "hash": "0" * 64,
        "files": {},
    }
    entry.update(changes)
    return {k: v for k, v in entry.items() if v is not None or k == "previous"}


def _doc(**changes) -> dict:
    doc = {"format": 1, "year": 2023, "entries": [_entry()], "published": {}}
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not None}


KEYS = "须含且只含 n、date、previous、corrections、inputs、state_sha256、hash、files（可另含 objections、site_files）"


@pytest.mark.parametrize(
    "doc, message",
    [
        (_doc(), None),
        (_doc(published=None), "须为含 format、year、entries、published 的对象"),
        (_doc(published=None, format=2), "须为含 format、year、entries、published 的对象"),
        (_doc(format=2, year=2022), "format 须为 1"),
        (_doc(year=2022, entries=3), "year 为 2022，但文件在 2023 年的目录中"),
        (_doc(year="2023"), "year 为 2023，但文件在 2023 年的目录中"),  # a text, not the number
        (_doc(year=2022, published=[]), "year 为 2022，但文件在 2023 年的目录中"),
        (_doc(entries=3, published={"P01/1-02/score": 1.5}), "entries 须为列表，published 须为对象"),
        (_doc(entries=[_entry(hash=None, objections=5)]), f"第 1 个发布条目{KEYS}"),
        (_doc(entries=[_entry(extra=1, objections=5)]), f"第 1 个发布条目{KEYS}"),
        (
            _doc(entries=[_entry(objections=5, n="1")]),
            "第 1 个发布条目的 objections 须为列表，每项含且只含 number、received_on、institution、outcome、"
            "sha256、fixed_sha256",
        ),
        (
            _doc(entries=[_entry(n=True, corrections=5)]),
            "第 1 个发布条目的 n 须为整数，date、hash、state_sha256 须为文字",
        ),
        (
            _doc(entries=[_entry(corrections=5, inputs=[])]),
            "第 1 个发布条目的 corrections 须为列表，每项含 number、date、sha256",
        ),
        (_doc(entries=[_entry(inputs=[], files=[])]), "第 1 个发布条目的 inputs 须为 {文件: SHA-256}"),
        (_doc(entries=[_entry(files=[], site_files=[])]), "第 1 个发布条目的 files 须为 {文件: SHA-256}"),
        (
            _doc(entries=[_entry(site_files=[])], published={"x": 1.5}),
            "第 1 个发布条目的 site_files 须为 {文件: SHA-256}",
        ),
        (
            _doc(entries=[_entry(), _entry(n="2")], published={"x": 1.5}),
            "第 2 个发布条目的 n 须为整数，date、hash、state_sha256 须为文字",
        ),
        (_doc(published={"x": 1.5}), "published 的每个值须为文字、true/false 或 null"),
        ([], "须为含 format、year、entries、published 的对象"),
    ],
)
def test_the_first_problem_of_a_ledger_of_the_wrong_shape(doc, message):
    from site_builder.record.shape import ledger_problem

    assert ledger_problem(doc, 2023) == message


# --- read_ledger itself, on a ledger written by hand (no build): every way it reports ---------------


def _chained(*dates: str, published: dict | None = None) -> dict:
    """A ledger of entries dated `dates` (the second includes correction 1), chained and hashed as
    `build --publish` writes them, whose last entry's state is `published`."""
    from site_builder.record.ledger import entry_hash, sha

    published = {"P01/1-02/score": "1"} if published is None else published
    entries: list[dict] = []
    for n, date in enumerate(dates, start=1):
        entry = _entry(n=n, date=date, previous=sha(entries[-1]) if entries else None)
        if n == 2:
            entry["corrections"] = [{"number": 1, "date": date, "sha256": "1" * 64}]
        entry["state_sha256"] = sha(published)
        entry["hash"] = entry_hash(entry)
        entries.append(entry)
    return _doc(entries=entries, published=published)


def _read(tmp_path, doc: object) -> tuple[object, list[str]]:
    """read_ledger's ledger (None when refused) and its problems, as `file: message`."""
    from site_builder.errors import Problems
    from site_builder.record.chain import read_ledger

    path = tmp_path / "ledger.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    found = Problems()
    found.add("other.yaml", "a problem of another file, found before")
    ledger = read_ledger(path, LEDGER, 2023, found)
    assert found.items[0].file == "other.yaml"
    return ledger, [f"{p.file}: {p.message}" for p in found.items[1:]]


@pytest.mark.parametrize("dates", [(), ("2024-01-15",), ("2024-01-15", "2024-01-15"), ("2024-01-15", "2024-01-25")])
def test_a_whole_ledger_is_read(tmp_path, dates):
    """A problem of another file before it does not make a whole ledger count as refused."""
    doc = _chained(*dates, published={} if not dates else None)
    ledger, found = _read(tmp_path, doc)
    assert found == []
    assert ledger is not None
    assert (ledger.year, ledger.entries, ledger.published, ledger.rel) == (
        2023,
        doc["entries"],
        doc["published"],
        LEDGER,
    )


def _rewritten(doc: dict, at: int, **changes) -> dict:
    """Entry `at` changed as given and its hash recomputed, each later entry chained to it again:
    the ledger rewritten consistently from there on."""
    from site_builder.record.ledger import entry_hash, sha

    entries = doc["entries"]
    entries[at - 1].update(changes)
    entries[at - 1]["hash"] = entry_hash(entries[at - 1])
    for before, entry in zip(entries[at - 1 :], entries[at:], strict=False):
        entry["previous"] = sha(before)
        entry["hash"] = entry_hash(entry)
    return doc


def _tampered_entry(doc: dict) -> dict:
    doc["entries"][0]["date"] = "2024-01-16"  # its hash not recomputed
    return doc


def _tampered_published(doc: dict) -> dict:
    doc["published"]["P01/1-02/score"] = "0.5"  # the last entry's state_sha256 not recomputed
    return doc


@pytest.mark.parametrize(
    "doc, message",
    [
        ('{"format": 1,', "发布记录无法读取：不是有效的 JSON（第 1 行第 14 列有误）"),
        (_doc(format=2), "发布记录格式不对：format 须为 1"),
        (
            _chained("2024-01-15", published={"P01": "1"}),
            "发布记录格式不对：published 的键 P01 不是已发布内容的键（如 P01/1-02/score、status/published_on）",
        ),
        (
            _tampered_entry(_chained("2024-01-15")),
            "第 1 次发布的内容与它的校验值 {head} 不符：该条目被改动过",
        ),
        (
            _rewritten(_chained("2024-01-15"), 1, previous="0" * 64),
            "第 1 次发布的 previous 与第 0 次发布的校验值不符：发布记录的链条断了（前面的条目被改动、删除或调换过）",
        ),
        (
            _rewritten(_chained("2024-01-15", "2024-01-25"), 2, previous="0" * 64),
            "第 2 次发布的 previous 与第 1 次发布的校验值不符：发布记录的链条断了（前面的条目被改动、删除或调换过）",
        ),
        (_rewritten(_chained("2024-01-15", "2024-01-25"), 2, n=3), "第 2 个发布条目的序号为 3；发布条目只能依次追加"),
        (_rewritten(_chained("2024-01-15", "2024-01-25"), 1, n=0), "第 1 个发布条目的序号为 0；发布条目只能依次追加"),
        (
            _rewritten(_chained("2024-01-15", "2024-01-25"), 2, date="2024-01-14"),
            "第 2 次发布的日期 2024-01-14 早于第 1 次的 2024-01-15",
        ),
        (
            _rewritten(
                _chained("2024-01-15", "2024-01-25"),
                2,
                corrections=[{"number": 2, "date": "2024-01-25", "sha256": "1" * 64}],
            ),
            "发布记录所含更正的序号不连续：[2]",
        ),
        (
            _tampered_published(_chained("2024-01-15", "2024-01-25")),
            "发布记录中的已发布内容（published）与最后一次发布的校验值不符：它被改动过",
        ),
    ],
)
def test_a_ledger_refused_says_why(tmp_path, doc, message):
    head = doc["entries"][0]["hash"][:12] if isinstance(doc, dict) and doc.get("entries") else ""
    ledger, found = _read(tmp_path, doc)
    assert ledger is None
    assert found == [f"{LEDGER}: {message.format(head=head)}；{RESTORE}"]


# --- the dates of corrections and entries ---------------------------------------------------------


def test_a_correction_dated_on_the_day_of_publication(published):
    result = _publish(published, correction("2024-01-15", "P01", [FIX_1_02]))
    assert (result.code, result.err) == (0, "")
    doc = ledger_doc(published)
    assert [(e["n"], e["date"]) for e in doc["entries"]] == [(1, "2024-01-15"), (2, "2024-01-15")]
    assert doc["entries"][1]["previous"] is not None
    assert [(c["number"], c["date"]) for c in doc["entries"][1]["corrections"]] == [(1, "2024-01-15")]
    # two entries of one date: the chain holds
    assert (validate(published).code, build(published, "--publish").code) == (0, 0)
    assert len(ledger_doc(published)["entries"]) == 2


def test_a_correction_dated_the_day_before_publication(published):
    result = _publish(published, correction("2024-01-14", "P01", [FIX_1_02]))
    assert problems(result) == [
        "scores/2023/corrections.yaml: 机构 P01: 第 1 条更正的日期 2024-01-14 早于首次发布日期 2024-01-15；"
        "发布之前的改动直接改评分数据即可，不是更正"
    ]
    assert len(ledger_doc(published)["entries"]) == 1


def test_an_entry_is_dated_by_its_newest_correction(published):
    first = correction("2024-01-25", "P01", [FIX_1_02])
    second = correction("2024-01-27", "P01", [FIX_2_01])
    assert _publish(published, first, second).code == 0
    [_, entry] = ledger_doc(published)["entries"]
    assert entry["date"] == "2024-01-27"
    assert [{k: v for k, v in c.items() if k != "sha256"} for c in entry["corrections"]] == [
        {"number": 1, "date": "2024-01-25", "kind": "score", "institution": "P01"},
        {"number": 2, "date": "2024-01-27", "kind": "score", "institution": "P01"},
    ]
    assert all(len(c["sha256"]) == 64 for c in entry["corrections"])


def test_each_publication_adds_what_is_new(published):
    """One correction published, then a second: the second entry holds the first, the third the second."""
    assert _publish(published, correction("2024-01-25", "P01", [FIX_1_02])).code == 0
    set_item(published, "P01", "2-01", 1)
    write_corrections(
        published, correction("2024-01-25", "P01", [FIX_1_02]), correction("2024-01-26", "P01", [FIX_2_01])
    )
    assert build(published, "--publish").code == 0
    entries = ledger_doc(published)["entries"]
    assert [(e["n"], e["date"], [c["number"] for c in e["corrections"]]) for e in entries] == [
        (1, "2024-01-15", []),
        (2, "2024-01-25", [1]),
        (3, "2024-01-26", [2]),
    ]
    from site_builder.record.ledger import sha

    assert [e["previous"] for e in entries] == [None, sha(entries[0]), sha(entries[1])]


# --- a ledger rewritten consistently ----------------------------------------------------------------


@pytest.fixture(scope="module")
def corrected_once(published_once, tmp_path_factory):
    root = tmp_path_factory.mktemp("corrected") / "m"
    shutil.copytree(published_once, root)
    assert _publish(root, correction("2024-01-25", "P01", [FIX_1_02])).code == 0
    return root


@pytest.fixture
def corrected(corrected_once, tmp_path):
    """Published, then one correction published as the second entry (2024-01-25): made once for the
    module, each test has its own copy (a project folder holds no absolute path, and `--publish`
    never uses the up-to-date stamp)."""
    root = tmp_path / "m"
    shutil.copytree(corrected_once, root)
    return root


def test_dates_that_go_back_along_the_chain(corrected):
    doc = ledger_doc(corrected)
    doc["entries"][1]["date"] = "2024-01-14"
    write_ledger(corrected, doc)
    assert problems(validate(corrected)) == [
        f"{LEDGER}: 第 2 次发布的日期 2024-01-14 早于第 1 次的 2024-01-15；{RESTORE}"
    ]


def test_an_entry_numbered_out_of_turn(corrected):
    doc = ledger_doc(corrected)
    doc["entries"][1]["n"] = 3
    write_ledger(corrected, doc)
    assert problems(validate(corrected)) == [f"{LEDGER}: 第 2 个发布条目的序号为 3；发布条目只能依次追加；{RESTORE}"]


def test_corrections_numbered_with_a_gap(corrected):
    doc = ledger_doc(corrected)
    doc["entries"][1]["corrections"][0]["number"] = 2
    write_ledger(corrected, doc)
    assert problems(validate(corrected)) == [f"{LEDGER}: 发布记录所含更正的序号不连续：[2]；{RESTORE}"]


def test_an_entry_removed_from_the_middle(corrected):
    set_item(corrected, "P01", "2-01", 1)
    write_corrections(
        corrected, correction("2024-01-25", "P01", [FIX_1_02]), correction("2024-01-26", "P01", [FIX_2_01])
    )
    assert build(corrected, "--publish").code == 0
    doc = ledger_doc(corrected)
    del doc["entries"][1]
    write_ledger(corrected, doc, rechain=False)
    assert problems(validate(corrected)) == [
        f"{LEDGER}: 第 2 个发布条目的序号为 3；发布条目只能依次追加；{RESTORE}",
        f"{LEDGER}: 第 2 次发布的 previous 与第 1 次发布的校验值不符：发布记录的链条断了"
        f"（前面的条目被改动、删除或调换过）；{RESTORE}",
        f"{LEDGER}: 发布记录所含更正的序号不连续：[2]；{RESTORE}",
    ]


def test_the_first_entry_has_no_previous(corrected):
    from site_builder.record.ledger import entry_hash

    doc = ledger_doc(corrected)
    doc["entries"][0]["previous"] = "0" * 64
    doc["entries"][0]["hash"] = entry_hash(doc["entries"][0])
    write_ledger(corrected, doc, rechain=False)
    assert problems(validate(corrected)) == [
        f"{LEDGER}: 第 1 次发布的 previous 与第 0 次发布的校验值不符：发布记录的链条断了"
        f"（前面的条目被改动、删除或调换过）；{RESTORE}",
        f"{LEDGER}: 第 2 次发布的 previous 与第 1 次发布的校验值不符：发布记录的链条断了"
        f"（前面的条目被改动、删除或调换过）；{RESTORE}",
    ]


def test_the_ledger_is_written_canonically(corrected):
    """Sorted keys, one-space indent, non-ASCII kept, a final newline: the bytes a reviewer diffs."""
    from site_builder.record.ledger import canonical

    raw = (corrected / LEDGER).read_text(encoding="utf-8")
    doc = json.loads(raw)
    assert raw == json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert list(doc) == ["entries", "format", "published", "year"] and (doc["format"], doc["year"]) == (1, 2023)
    assert "甲职业培训学校" in raw
    assert canonical({"b": "甲", "a": [1, 2]}) == '{"a":[1,2],"b":"甲"}'.encode()


# --- the previous publication ---------------------------------------------------------------------


def test_a_previous_publication_whose_ledger_cannot_be_read(corrected, tmp_path):
    kept = tmp_path / "kept"
    shutil.copytree(corrected / "output", kept)
    (kept / "2023/data/ledger.json").write_text('{"entries": [{"hash": 1}]}', encoding="utf-8")
    result = build(corrected, "--publish", "--previous", str(kept))
    assert problems(result) == [
        f"{kept / '2023/data/ledger.json'}: 上一次发布的网站中的发布记录无法读取；"
        "请用 --previous 指定一份完好的已发布网站副本"
    ]


def test_a_previous_publication_with_an_empty_ledger_holds_nothing_back(corrected, tmp_path):
    kept = tmp_path / "kept"
    shutil.copytree(corrected / "output", kept)
    (kept / "2023/data/ledger.json").write_text('{"entries": []}', encoding="utf-8")
    result = build(corrected, "--publish", "--previous", str(kept))
    assert (result.code, result.err) == (0, "")


def test_a_previous_publication_with_one_entry_more(published, tmp_path):
    """The repo's ledger lost its last entry (put back from before the correction): refused."""
    before = (published / LEDGER).read_bytes()
    assert _publish(published, correction("2024-01-25", "P01", [FIX_1_02])).code == 0
    (published / LEDGER).write_bytes(before)
    write_corrections(published, correction("2024-01-25", "P01", [FIX_1_02]))
    result = build(published, "--publish")
    assert problems(result) == [
        f"{LEDGER}: 发布记录只有 1 次发布，少于上一次发布的网站（output/2023/data/ledger.json）所示的 2 次；"
        f"已发布的记录不能丢失或改写；请从版本库恢复 {LEDGER}（git checkout -- {LEDGER}）"
    ]


def test_the_first_entry_is_dated_by_publication_not_approval(tmp_path):
    root = approved_mini(tmp_path)
    status = root / "scores/2023/status.yaml"
    status.write_text(
        status.read_text(encoding="utf-8").replace("approved_on: 2024-01-15", "approved_on: 2024-01-12"),
        encoding="utf-8",
    )
    assert build(root, "--publish").code == 0
    assert [e["date"] for e in ledger_doc(root)["entries"]] == ["2024-01-15"]


# --- objections in the ledger ---------------------------------------------------------------------

PENDING = """- received_on: 2024-01-18
  institution: M01
  subject: 对总分有异议
  outcome: pending
"""
DECIDED = PENDING.replace(
    "outcome: pending\n", "outcome: rejected\n  decided_on: 2024-01-23\n  reply: 经复核，评分无误\n"
)


def test_published_objections_are_recorded_once(published):
    objections = published / "scores/2023/objections.yaml"
    objections.write_text(PENDING, encoding="utf-8")
    assert build(published, "--publish").code == 0
    entries = ledger_doc(published)["entries"]
    assert len(entries) == 2 and "objections" not in entries[0]
    [record] = entries[1]["objections"]
    assert {k: v for k, v in record.items() if not k.endswith("sha256")} == {
        "number": 1,
        "received_on": "2024-01-18",
        "institution": "M01",
        "outcome": "pending",
    }
    # published again without a change: no new entry
    assert build(published, "--publish").code == 0
    assert len(ledger_doc(published)["entries"]) == 2
    assert validate(published).code == 0
    # the objection decided: a new entry records the outcome
    objections.write_text(DECIDED, encoding="utf-8")
    assert build(published, "--publish").code == 0
    entries = ledger_doc(published)["entries"]
    assert [e["objections"][0]["outcome"] for e in entries[1:]] == ["pending", "rejected"]
    assert entries[2]["objections"][0]["fixed_sha256"] == entries[1]["objections"][0]["fixed_sha256"]
    assert entries[2]["objections"][0]["sha256"] != entries[1]["objections"][0]["sha256"]
    assert build(published, "--publish").code == 0
    assert len(ledger_doc(published)["entries"]) == 3
