"""The outside attacker's points 1-3 (invariant 3): a mobile number or an 18-digit 居民身份证号 is found
whatever separates or surrounds its digits.

The rule (publish/privacy.py, `_MOBILE`, `_ID18`), by classes, not lists: between any two digits one
character that is neither a letter nor a digit after NFKC (any punctuation, symbol, space, mark or
control, a line break) or a run of spaces; anything but a digit may touch the number (ASCII letters too);
+86 or 0086 before it with or without separators; %-escapes and entities decoded. What keeps the site's
own numbers out: a table cell, a CSV field, a JSON value, an attribute and a line of a plain text file
are boundaries no number is read across, and a hash (32+ hex digits) or a 统一社会信用代码 is a code.

Both sides are properties: (a) any such number in a reason, a page, a link, a correction is refused,
naming the input file and field, masked; (b) the site's own kinds of numbers (scores, dates, ids,
USCC codes, hashes, in tables, CSV, JSON, XLSX XML, the search index) give no hit, and neither do the
repo's build and a synthetic site."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc
from support.project import copy_project, in_process

from site_builder.common.textcheck import refused
from site_builder.errors import DataError
from site_builder.publish.privacy import HINT, Scanner, check_published

CONTACTS = (("0350-3020718",), ("xzsjdZX@163.com",))
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]
SCANNER = Scanner(*CONTACTS)


def _one_mark(char: str) -> bool:
    """A character that stays one non-letter, non-digit character (or none) between two digits after
    NFKC: the class the rule joins across (not a list)."""
    normal = unicodedata.normalize("NFKC", "1" + char + "2")
    middle = normal[1:-1]
    return (
        normal[0] == "1"
        and normal[-1] == "2"
        and len(middle) <= 1
        and not any(c.isalnum() for c in middle)
        and unicodedata.category(char) != "No"  # ①, ²: numbering signs, read as a space anyway
        and char != "\0"
    )


mark = st.characters(blacklist_categories=("Cs",)).filter(_one_mark)
spaces = st.text(" \t\u3000\u00a0", min_size=1, max_size=3)
gap = st.one_of(st.just(""), st.just(""), mark, spaces)
mobile = st.tuples(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9)).map(
    lambda t: "1" + t[0] + t[1]
)


@st.composite
def id18(draw) -> str:
    area = draw(st.sampled_from(["140902", "142201", "110105", "440305", "650102"]))
    born = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2010, 12, 31)))
    order = draw(st.text("0123456789", min_size=3, max_size=3))
    body = area + born.strftime("%Y%m%d") + order
    return body + ric.calc_check_digit(body + "0")  # stdnum drops the last character


def spread(digits: str, gaps: list[str]) -> str:
    """The digits with gaps[i] after digit i (gaps cycled)."""
    return "".join(d + (gaps[i % len(gaps)] if i < len(digits) - 1 else "") for i, d in enumerate(digits))


prefix = st.sampled_from(["", "+86", "0086", "86 ", "+86-"])
letters = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=4)


@settings(max_examples=400, deadline=None)
@given(mobile, id18(), st.lists(gap, min_size=1, max_size=10), prefix, letters, letters, st.sampled_from("，,、 ;；"))
# found by a local random run: 008614000000000RPG passed python-stdnum's credit-code check (no province)
@example("14000000000", "140902200001010008", [""], "0086", "", "RPG", "，")
def test_any_separator_and_letters_the_numbers_are_found_and_masked(digits, card, gaps, pre, before, after, between):
    text = f"联系人{before}{pre}{spread(digits, gaps)}{after}{between}身份证{before}{spread(card, gaps)}{after}"
    found = [(f.kind, f.masked) for f in SCANNER.find(text)]
    assert found == [
        ("手机号码", f"{digits[:3]}****{digits[-4:]}"),
        ("居民身份证号", f"{card[:3]}{'*' * 11}{card[-4:]}"),
    ]


def _percent(text: str) -> str:
    """Every byte %-escaped (digits too)."""
    return "".join(f"%{b:02X}" for b in text.encode())


# --- (a) in what is published: refused naming the input file and field, the number masked ----------
PLACES = {
    "html-text": ("a/index.html", lambda t: f"<p>联系<b>{t}</b>，谢谢</p>"),
    "html-lines": ("a/index.html", lambda t: "<p>联系\n" + t.replace("5", "5\n", 1) + "\n谢谢</p>"),
    "html-inline-line": ("a/index.html", lambda t: f"<p>联系<strong>{t[:3]}</strong>\n{t[3:]}</p>"),
    "html-link": ("a/index.html", lambda t: f'<p><a href="https://x.example/?tel={_percent(t)}">链接</a></p>'),
    "html-attribute": ("a/index.html", lambda t: f'<p><span title="{t}">x</span></p>'),
    "json": ("2023/data/results.json", lambda t: json.dumps({"reason": t, "scores": [1, 0.5]})),
    "js": ("2023/search/search-index.js", lambda t: "window.XZ=" + json.dumps({"r": [["P03", t, 1]]}) + ";"),
    "csv": ("2023/data/results.csv", lambda t: f'机构,原因\nP01,"{t}"\n'),
    "xlsx": ("2023/data/results.xlsx", lambda t: f"<sst><si><r><t>联系{t[:4]}</t></r><r><t>{t[4:]}</t></r></si></sst>"),
}


def _publish(staging: Path, place: str, text: str) -> str:
    rel, body = PLACES[place]
    path = staging / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if place == "xlsx":
        with zipfile.ZipFile(path, "w") as package:
            package.writestr("xl/sharedStrings.xml", body(text.replace("&", "&amp;").replace("<", "&lt;")))
    else:
        path.write_text(body(text), encoding="utf-8")
    return rel


printable_mark = mark.filter(lambda c: refused(c) is None and c not in "\"'<>&\\\r\n{}[],#:`|")


@settings(max_examples=120, deadline=None)
@given(
    mobile,
    st.lists(st.one_of(st.just(""), printable_mark, st.just(" ")), min_size=1, max_size=10),
    letters,
    st.sampled_from(sorted(PLACES)),
    st.sampled_from(["reason", "page", "correction"]),
)
# found by a local random run: '1_3' and '_0_0…' on two lines of an HTML page are read as "1_3 _0_0…",
# and a space beside an underscore was not read as one gap
@example("13000000000", ["_"], "", "html-inline-line", "reason")
def test_a_number_with_any_separator_anywhere_published_is_refused_naming_its_input(
    tmp_path_factory, digits, gaps, before, place, source
):
    base = tmp_path_factory.mktemp("scan")
    text = f"{before}{spread(digits, gaps)}"
    _publish(base / "staging", place, text)
    inputs = {
        "reason": (
            "scores/2023/P03.yaml",
            f"items:\n  1-05: {{score: 0, reason: '联系人{text}'}}\n",
            2,
            "字段 reason ",
        ),
        "page": ("content/pages/t.md", f"---\ntitle: 测试\n---\n\n正文 {text}\n", 5, "正文"),
        "correction": (
            "scores/2023/corrections.yaml",
            f"- date: 2024-01-22\n  changes:\n    - {{old: 甲, new: '{text}'}}\n",
            3,
            "字段 new ",
        ),
    }
    rel, body, line, field = inputs[source]
    (base / rel).parent.mkdir(parents=True, exist_ok=True)
    (base / rel).write_text(body, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        check_published(base / "staging", CONTACTS, [base / "scores", base / "content"], base)
    message = str(caught.value)
    masked = f"{digits[:3]}****{digits[-4:]}"
    # the input named, masked (a window of the planted digits joined with the page's own may be named too)
    named = f"{rel}:{line}: {field}含手机号码 {masked}，会发布在 {PLACES[place][0]}：{HINT}"
    assert any(m.startswith(named) for m in message.splitlines()), message
    assert digits not in "".join(c for c in message if c.isdigit() or c == "*")


# --- (b) the site's own numbers: no hit -------------------------------------------------------------
score = st.decimals(min_value=0, max_value=120, places=2).map(lambda d: format(d.normalize(), "f"))
date = st.dates().map(lambda d: d.isoformat())
moment = st.tuples(date, st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]} {t[1]:02d}:{t[2]:02d}")
indicator = st.tuples(st.integers(1, 7), st.integers(1, 60)).map(lambda t: f"{t[0]}-{t[1]:02d}")
institution = st.tuples(st.sampled_from("PMX"), st.integers(1, 999)).map(lambda t: f"{t[0]}{t[1]:02d}")
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@st.composite
def credit_code(draw) -> str:
    body = (
        "91" + draw(st.sampled_from(["140900", "140902", "140981"])) + draw(st.text(CODE_CHARS, min_size=9, max_size=9))
    )
    return body + uscc.calc_check_digit(body)


sha = st.binary(min_size=1, max_size=8).map(lambda b: hashlib.sha256(b).hexdigest())
number = st.one_of(score, date, moment, indicator, institution, credit_code(), sha, st.integers(0, 2100).map(str))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(number, min_size=1, max_size=30), min_size=1, max_size=12))
def test_the_sites_own_numbers_in_tables_csv_json_and_xlsx_give_no_hit(tmp_path_factory, rows):
    staging = tmp_path_factory.mktemp("own") / "staging"
    (staging / "2023/data").mkdir(parents=True)
    table = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>\n" for row in rows)
    (staging / "2023/index.html").write_text(f"<table>\n{table}</table>\n<p>{rows[0][0]}</p>\n", encoding="utf-8")
    (staging / "2023/data/results.csv").write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    (staging / "2023/data/results.json").write_text(json.dumps({"rows": rows}), encoding="utf-8")
    packed = {str(i): ",".join(v for v in row if " " not in v) for i, row in enumerate(rows)}  # posting lists
    index = "window.XZ=" + json.dumps({"rows": rows, "grams": packed}) + ";"
    (staging / "2023/search-index.js").write_text(index, encoding="utf-8")
    sums = "".join(
        f"{hashlib.sha256(v.encode()).hexdigest()}  2023/{v}/{i}.html\n" for i, row in enumerate(rows) for v in row
    )
    (staging / "SHA256SUMS").write_text(sums, encoding="utf-8")
    with zipfile.ZipFile(staging / "2023/data/results.xlsx", "w") as package:
        package.writestr(
            "xl/sharedStrings.xml", "<sst>" + "".join(f"<si><t>{v}</t></si>" for r in rows for v in r) + "</sst>"
        )
    check_published(staging, CONTACTS, [], staging)


@pytest.mark.slow
@settings(max_examples=2, deadline=None, phases=NO_SHRINK, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 10_000))
def test_a_synthetic_site_gives_no_hit(tmp_path_factory, seed):
    """Any seed of `synth` (its scores, dates and reasons): the build passes the scan."""
    base = tmp_path_factory.mktemp("synth")
    made = in_process("synth", "--institutions", "300", "--out", str(base / "data"), "--seed", str(seed))
    assert made.code == 0, made.err
    result = in_process("build", "--root", str(base / "data"), "--out", str(base / "out"), "--no-cache", "--jobs", "1")
    assert result.code == 0, result.err


# --- The attacker's repro cases: exit 1, the whole message ---------------------------------------
REASON = "reason: 执行不到位，抽查发现问题1处}"


def _reason(project, text: str) -> None:
    body = project.read("scores/2023/P03.yaml")
    project.write("scores/2023/P03.yaml", body.replace(REASON, f"reason: {text}}}", 1))


def test_attack_1_letters_touching_the_numbers(project, tmp_path):
    _reason(project, "联系人Tel13812345678，身份证ID140902198001011238")
    result = in_process("build", "--root", str(project.root), "--out", str(tmp_path / "o"), "--no-cache", "--jobs", "1")
    assert result.code == 1
    assert result.err.splitlines() == [
        "错误：数据有 2 处问题，未写出任何文件：",
        f"  scores/2023/P03.yaml: 机构 P03: 指标 1-05: 扣分原因含手机号码 138****5678：{HINT}",
        f"  scores/2023/P03.yaml: 机构 P03: 指标 1-05: 扣分原因含居民身份证号 140***********1238：{HINT}",
    ]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "written",
    [f"138{s}1234{s}5678" for s in "_·・～~+&|,、:*#()。ー─‧\\"]
    + ["1 3 8 1 2 3 4 5 6 7 8", "008613812345678", "13812345678abc"],
)
def test_attack_2_any_separator(project, written):
    _reason(project, f"'联系人手机 {written}'")
    result = in_process("validate", "--root", str(project.root))
    assert result.code == 1
    assert result.err.splitlines() == [
        "错误：数据有 1 处问题，未写出任何文件：",
        f"  scores/2023/P03.yaml: 机构 P03: 指标 1-05: 扣分原因含手机号码 138****5678：{HINT}",
    ]


def test_attack_2_a_line_break_and_a_backslash_in_a_page(project, tmp_path):
    project.write("content/pages/t.md", "---\ntitle: 测试\n---\n\n联系 1\n3812345678，或 139\\\\12345678\n")
    result = in_process("build", "--root", str(project.root), "--out", str(tmp_path / "o"), "--no-cache", "--jobs", "1")
    assert result.code == 1
    assert result.err.splitlines() == [
        "错误：数据有 2 处问题，未写出任何文件：",
        f"  content/pages/t.md: 正文含手机号码 138****5678：{HINT}",
        f"  content/pages/t.md: 正文含手机号码 139****5678：{HINT}",
    ]


def test_attack_3_a_percent_encoded_link(project, tmp_path):
    encoded = "".join(f"%{ord(c):02X}" for c in "13812345678")
    project.write("content/pages/t.md", f"---\ntitle: 测试\n---\n\n[链接](https://x.example/?tel={encoded})\n")
    result = in_process("build", "--root", str(project.root), "--out", str(tmp_path / "o"), "--no-cache", "--jobs", "1")
    assert result.code == 1
    assert result.err.splitlines() == [
        "错误：数据有 1 处问题，未写出任何文件：",
        f"  content/pages/t.md: 正文含手机号码 138****5678：{HINT}",
    ]
    assert not (tmp_path / "o").exists()


def test_attack_3_a_percent_encoded_link_from_a_template_is_stopped_in_the_output(tmp_path):
    """Whatever brings it (here a template, not scanned when read), the output scan finds it."""
    encoded = "".join(f"%{ord(c):02X}" for c in "13812345678")
    (tmp_path / "staging/t").mkdir(parents=True)
    (tmp_path / "staging/t/index.html").write_text(f'<p><a href="https://x.example/?tel={encoded}">链接</a></p>\n')
    with pytest.raises(DataError) as caught:
        check_published(tmp_path / "staging", CONTACTS, [], tmp_path)
    assert str(caught.value) == (
        "生成的 t/index.html: 含手机号码 138****5678，在数据、页面和模板中找不到它原样写出的位置（可能被拆开书写）："
        + HINT
    )


def test_repo_copy_builds(tmp_path):
    """The repo's own build passes (its pages, data, hashes, USCC codes and contacts)."""
    project = copy_project(tmp_path / "p")
    result = in_process("build", "--root", str(project.root), "--out", str(tmp_path / "o"), "--no-cache", "--jobs", "1")
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    "rel, body",
    [
        ("t/index.html", '<p><a href="https://x.example/?tel=138%001234%005678">链接</a></p>\n'),
        ("t/index.html", "<p>联系 138%1234%5678</p>\n"),
        ("t/data.json", '{"reason": "联系 138\\u00001234\\u00005678"}'),
    ],
    ids=["%00 in a link", "% between digits", "JSON \\u0000"],
)
def test_a_nul_or_percent_between_digits_is_a_separator_not_a_boundary(tmp_path, rel, body):
    """The scan's own boundary is NUL: a NUL from the content (%00, \\u0000) is read as a space."""
    (tmp_path / "staging" / rel).parent.mkdir(parents=True)
    (tmp_path / "staging" / rel).write_text(body, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        check_published(tmp_path / "staging", CONTACTS, [], tmp_path)
    assert str(caught.value) == (
        f"生成的 {rel}: 含手机号码 138****5678，在数据、页面和模板中找不到它原样写出的位置（可能被拆开书写）：" + HINT
    )
