"""Never a silently skipped record (site_builder/read/inventory.py): every file under content/, rubric/
and scores/ is read, refused by name with what its folder may hold, or (an editor's or the system's
file) left alone and named in the summary; page file names that Windows cannot hold, or too long,
are refused in the one place page names are checked (read/content.page_name_problem)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.project import REPO, Project, copy_project

from site_builder.read.inventory import ignorable

HEADER = "错误：数据有 {n} 处问题，未写出任何文件：\n"
ALSO = "；请改名、移到数据目录之外或删去"
IGNORED = "已忽略（编辑器或系统留下的文件，以及以 . 开头的文件，不读取、不发布）："


@pytest.mark.parametrize("name", ["con", "prn", "aux", "nul", "com1", "com9", "lpt1", "lpt9"])
def test_a_windows_reserved_page_name_is_refused(project: Project, name: str):
    project.write(f"content/pages/{name}.md", f"---\ntitle: {name}\n---\n\n正文\n")
    result = project.validate()
    assert result.code == 1
    assert result.err == HEADER.format(n=1) + (
        f"  content/pages/{name}.md: 页面文件名 {name} 是 Windows 的保留名称（con、prn、aux、nul、com1–com9、"
        "lpt1–lpt9），网站复制到 Windows 电脑或服务器上时无法建立这个目录；请换一个名称（如 contact.md）\n"
    ), result.err


def test_a_page_name_longer_than_64_characters_is_refused(project: Project):
    project.write(f"content/pages/{'a' * 64}.md", "---\ntitle: 长\n---\n\n正文\n")
    assert project.validate().code == 0  # 64 is the limit
    project.write(f"content/pages/{'b' * 240}.md", "---\ntitle: 长\n---\n\n正文\n")
    result = project.validate()
    assert result.code == 1
    assert result.err == HEADER.format(n=1) + (
        f"  content/pages/{'b' * 240}.md: 页面文件名有 240 个字符，超过上限 64 个（它会成为网址的一部分）；请改短\n"
    ), result.err


def test_every_file_the_tool_does_not_read_is_refused_naming_it(project: Project):
    """The attacker's stray files (report item 14), and the two refused before, in one run."""
    for rel in (
        "content/2023/extra.md",
        "content/extra.yaml",
        "rubric/2023.yml",
        "content/pages/notes.txt",
        "scores/2023/notes.txt",
        "content/2030/announcement.md",
    ):
        project.write(rel, "x\n")
    result = project.validate()
    assert result.code == 1
    lines = [
        f"rubric/2023.yml: 不认识的文件，工具不读取它；rubric/ 只放各年度的评估表 <年份>.yaml（如 2023.yaml，扩展名是 .yaml）{ALSO}",
        "scores/2023/notes.txt: 不认识的文件，工具不读取它；scores/2023/ 只放评分表 <机构编号>.yaml（如 P01.yaml）和 "
        f"roster.yaml、status.yaml、corrections.yaml、objections.yaml、ledger.json{ALSO}",
        "content/pages/notes.txt: 页面文件须命名为小写字母、数字和连字符组成的 <名称>.md（如 about.md）",
        "content/2023/extra.md: 不认识的文件，工具不读取它；content/2023/ 只放该年度的公告 announcement.md；"
        f"其他页面请放在 content/pages/{ALSO}",
        "content/2030: 没有 2030 年度的评分数据（scores/2030/），这个年度的公告不会发布；请先建立 scores/2030/，"
        "或把这个目录移到数据目录之外",
        "content/extra.yaml: 不认识的文件，工具不读取它；content/ 只放 site.yaml、pages/ 目录和各年度的目录"
        f"（如 2023/，其中是 announcement.md）{ALSO}",
    ]
    assert result.err == HEADER.format(n=len(lines)) + "".join(f"  {line}\n" for line in lines), result.err


def test_editor_and_system_files_are_left_alone_and_named_in_the_summary(project: Project):
    """A clerk with vim open must still be able to build; what is left unread is said."""
    for rel in ("scores/2023/.P03.yaml.swp", "scores/2023/P03.yaml~", "scores/.DS_Store", "content/pages/.hidden.md"):
        project.write(rel, "x\n")
    project.write("rubric/Thumbs.db", "x\n")
    result = project.validate()
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == IGNORED + (
        "scores/.DS_Store、scores/2023/.P03.yaml.swp、scores/2023/P03.yaml~、rubric/Thumbs.db、content/pages/.hidden.md"
    ), result.out
    built = project.cli("build", "--out", str(project.root / "out"))
    assert built.code == 0, built.err
    assert IGNORED in built.out
    assert not (project.root / "out" / "hidden").exists()


# --- the property: any file anywhere the readers look is read, refused by name or named as ignored ---

FOLDERS = ["content", "content/pages", "content/2023", "rubric", "scores", "scores/2023"]
names = st.builds(
    lambda pre, stem, suffix: pre + stem + suffix,
    st.sampled_from(["", "", ".", "~$"]),
    st.text(alphabet="abxP0123-_", min_size=1, max_size=6),
    st.sampled_from(["", ".md", ".yaml", ".yml", ".txt", ".swp", "~", ".json"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(FOLDERS), names)
def test_any_new_file_is_read_refused_by_name_or_named_as_ignored(folder: str, name: str):
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "proj")
        rel = f"{folder}/{name}"
        if (REPO / rel).exists() or (folder == "rubric" and name.endswith(".yaml") and name[:-5].isdigit()):
            return  # a file of the repo's data, or a rubric prepared for a year to come (workbook --year)
        if folder == "scores" and name.isdigit():
            return
        project.write(rel, "x\n")
        result = project.validate()
        if ignorable(name):
            assert result.code == 0, result.err
            assert rel in result.out.splitlines()[-1], result.out
        else:
            assert result.code == 1, (rel, result.out)
            assert f"  {rel}" in result.err or f"  {folder}" in result.err, (rel, result.err)
        shutil.rmtree(project.root)
