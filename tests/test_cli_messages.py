"""What a clerk reads when something is wrong: every command with a typo and with a missing input,
argument errors, YAML syntax errors, misspelt fields, file errors, and the note after publishing."""

from __future__ import annotations

import errno
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from support.mini import approved_mini
from support.project import in_process

from site_builder.common.messages import os_error
from site_builder.common.yamlio import YamlProblem, read_yaml

ENGLISH = (
    "usage:",
    "error:",
    "Error",
    "invalid choice",
    "unrecognized",
    "required:",
    "expected one",
    "show this help",
    "options:",
    "positional arguments",
    "Traceback",
    "Errno",
    "None",
)


def run(*args: str):
    return in_process(*args)


def assert_chinese(text: str) -> None:
    for word in ENGLISH:
        assert word not in text, (word, text)


# --- typos ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typo, meant",
    [
        ("biuld", "build"),
        ("valdate", "validate"),
        ("serv", "serve"),
        ("workbok", "workbook"),
        ("improt", "import"),
        ("synht", "synth"),
        ("verfy", "verify"),
    ],
)
def test_a_mistyped_command_gets_a_suggestion(typo, meant):
    result = run(typo)
    assert result.code == 1 and result.out == ""
    assert result.err == (
        "用法：python -m site_builder [-h] [--version] 命令 ...\n"
        f"错误：没有“{typo}”这个命令。您是不是要输入 {meant}？可用的命令：validate、build、serve、workbook、import、verify、office、synth\n"
        "用 python -m site_builder --help 查看说明。\n"
    )


@pytest.mark.parametrize(
    "args, typo, meant",
    [
        (("validate", "--scroes", "x"), "--scroes", "--scores"),
        (("build", "--publsh"), "--publsh", "--publish"),
        (("build", "--no-cahce"), "--no-cahce", "--no-cache"),
        (("serve", "--prot", "8001"), "--prot", "--port"),
        (("workbook", "--out", "a.xlsx", "--instituion", "P01"), "--instituion", "--institution"),
        (("import", "a.xlsx", "--froce"), "--froce", "--force"),
        (("synth", "--institutons", "5", "--out", "x"), "--institutons", "--institutions"),
        (("verify", "output", "--rooot", "x"), "--rooot", "--root"),
    ],
)
def test_a_mistyped_option_gets_a_suggestion(args, typo, meant):
    result = run(*args)
    assert result.code == 1 and result.out == ""
    lines = result.err.splitlines()
    assert lines[0].startswith(f"用法：python -m site_builder {args[0]} ")
    assert f"错误：没有 {typo} 这个选项。您是不是要输入 {meant}？" in lines
    assert lines[-1] == f"用 python -m site_builder {args[0]} --help 查看说明。"
    assert_chinese(result.err)


def test_a_shortened_option_is_a_typo_not_a_guess():
    result = run("build", "--pub")
    assert "错误：没有 --pub 这个选项。您是不是要输入 --publish？" in result.err.splitlines()


def test_an_option_before_the_command():
    result = run("--publish", "build")
    assert "错误：选项 --publish 要写在命令之后，如 python -m site_builder build --publish" in result.err.splitlines()


def test_nothing_close_gets_no_suggestion():
    result = run("build", "--zzzzzz")
    assert "错误：没有 --zzzzzz 这个选项。" in result.err.splitlines()
    assert "您是不是" not in result.err


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "错误：缺少命令。可用的命令：validate、build、serve、workbook、import、verify、office、synth"),
        (("workbook",), "错误：缺少必填的参数：--out（要写出的工作簿，如 评分表.xlsx）"),
        (("import",), "错误：缺少必填的参数：FILE.xlsx（填好的工作簿，可以一次给多个）"),
        (("synth", "--out", "x"), "错误：缺少必填的参数：--institutions（机构数）"),
        (("build", "--jobs"), "错误：--jobs 后面要写一个值（渲染机构页的进程数，默认为 CPU 核数）"),
        (("build", "--jobs", "0"), "错误：--jobs 须为正整数，实为“0”"),
        (("build", "--jobs", "两个"), "错误：--jobs 须为正整数，实为“两个”"),
        (("workbook", "--out", "a.xlsx", "--year", "23"), "错误：--year 须为四位数的年度，如 2023，实为“23”"),
        (
            ("serve", "--port", "70000"),
            "错误：--port 须为 0 至 65535 之间的端口号（0 表示自动选一个空闲端口），实为“70000”",
        ),
        (("build", "--publish=yes"), "错误：--publish 不带值，请去掉“=yes”"),
        # synth: bounded, and ASCII digits only (int() takes full-width digits: attack report item 17)
        (
            ("synth", "--out", "x", "--institutions", "100000000"),
            "错误：--institutions 须为 1 至 100000 之间的整数，实为“100000000”",
        ),
        (("synth", "--out", "x", "--institutions", "0"), "错误：--institutions 须为 1 至 100000 之间的整数，实为“0”"),
        (
            ("synth", "--out", "x", "--institutions", "１０"),
            "错误：--institutions 须为 1 至 100000 之间的整数，实为“１０”（请用半角数字 0–9，不要用全角数字）",
        ),
        (("synth", "--out", "x", "--institutions", "5", "--seed", "-1"), "错误：--seed 须为 0 或正整数，实为“-1”"),
        (("build", "--jobs", "２"), "错误：--jobs 须为正整数，实为“２”（请用半角数字 0–9，不要用全角数字）"),
        (
            ("build", "--publish", "--year", "２０２３"),
            "错误：--year 须为四位数的年度，如 2023，实为“２０２３”（请用半角数字 0–9，不要用全角数字）",
        ),
        (("validate", "extra"), "错误：多余的参数“extra”"),
    ],
)
def test_argument_errors_in_chinese(args, message):
    result = run(*args)
    assert result.code == 1
    assert message in result.err.splitlines()
    assert_chinese(result.err)


@pytest.mark.parametrize("command", [None, "validate", "build", "serve", "workbook", "import", "verify", "synth"])
def test_help_is_chinese(command):
    result = run(*([command] if command else []), "--help")
    assert result.code == 0 and result.err == ""
    assert result.out.startswith("用法：python -m site_builder")
    assert "选项：\n  -h, --help" in result.out and "显示本帮助并退出" in result.out
    assert_chinese(result.out)


# --- missing inputs ---------------------------------------------------------------------------


def _missing(root: Path, *which: str) -> list[str]:
    words = {
        "scores": "评分数据目录（各年度的名单、状态和评分表）不存在",
        "rubric": "评估表目录不存在",
        "content": "页面和网站设置目录（site.yaml、公告、页面）不存在",
    }
    return [f"  {root / name}: {words[name]}" for name in which]


@pytest.mark.parametrize("command", ["validate", "build"])
def test_every_missing_input_in_one_run(tmp_path, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(command, "--root", str(empty))
    assert result.code == 1 and result.out == ""
    assert result.err.splitlines() == [
        "错误：数据有 3 处问题，未写出任何文件：",
        *_missing(empty, "scores", "rubric", "content"),
        f"提示：--root 指向 {empty}，其中应有 scores/、rubric/、content/；请检查路径。",
    ]


def test_an_explicit_scores_option_is_not_suggested_again(project):
    result = run("validate", "--root", str(project.root), "--scores", str(project.root / "scorse"))
    assert result.err.splitlines() == [
        "错误：数据有 1 处问题，未写出任何文件：",
        f"  {project.root / 'scorse'}: 评分数据目录（各年度的名单、状态和评分表）不存在",
        f"提示：请检查 --scores 给出的路径（相对于当前目录 {Path.cwd()}）。",
    ]
    assert "用 --scores 指定" not in result.err


def test_missing_inputs_in_the_current_folder(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "validate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"提示：请在数据根目录（含 scores/、rubric/、content/ 的文件夹）中运行，或用 --root 指定它；当前目录是 {tmp_path}。"
    )


def test_serve_with_missing_inputs_does_not_start(tmp_path):
    result = run("serve", "--root", str(tmp_path), "--port", "0")
    assert result.code == 1
    assert "  " + _missing(tmp_path, "scores")[0] in result.out.splitlines()  # the build's messages, indented
    assert result.err == "错误：预览没有启动：缺少数据目录（见上）\n"


def test_workbook_with_missing_inputs(tmp_path):
    result = run("workbook", "--root", str(tmp_path), "--out", str(tmp_path / "a.xlsx"))
    assert result.err.splitlines() == [
        "错误：数据有 2 处问题，未写出任何文件：",
        *_missing(tmp_path, "scores", "rubric"),
        f"提示：--root 指向 {tmp_path}，其中应有 scores/、rubric/；请检查路径。",
    ]
    assert not (tmp_path / "a.xlsx").exists()


def test_import_of_missing_files(project):
    result = project.cli("import", "评分表.xlsx", "专家组2")
    project.path("专家组2").mkdir()
    assert result.code == 1
    assert result.err.splitlines() == [
        "错误：数据有 2 处问题，未写出任何文件：",
        f"  {project.root / '评分表.xlsx'}: 文件不存在；请检查文件名和所在文件夹（当前目录 {project.root}）",
        f"  {project.root / '专家组2'}: 文件不存在；请检查文件名和所在文件夹（当前目录 {project.root}）",
    ]
    assert (
        project.cli("import", "专家组2").err.splitlines()[1] == f"  {project.root / '专家组2'}: 这是文件夹，不是工作簿"
    )


def test_synth_with_missing_rubric(tmp_path):
    result = run("synth", "--root", str(tmp_path), "--institutions", "3", "--out", str(tmp_path / "syn"))
    assert (
        result.err
        == f"错误：{tmp_path / 'rubric'} 中没有评估表（<年度>.yaml）；用 --root 指定含 rubric/ 的数据根目录\n"
    )


def test_verify_a_missing_site(tmp_path):
    result = run("verify", str(tmp_path / "nowhere"), "--root", str(tmp_path))
    assert result.code == 1 and result.err.startswith("错误：")
    assert_chinese(result.err)


def test_file_errors_in_chinese():
    assert (
        os_error(FileNotFoundError(errno.ENOENT, "No such file or directory", "x.xlsx"))
        == f"{Path.cwd() / 'x.xlsx'}：文件或文件夹不存在"
    )
    assert os_error(PermissionError(errno.EACCES, "Permission denied", "/srv/out")) == "/srv/out：没有权限"
    assert os_error(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间已满"


# --- YAML syntax errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("institution: P05\nitems:\n  1-01:1\n  1-02: 1\n", 3, "冒号后要有空格：应写成“1-01: 1”"),
        ("institution: P05\nitems:\n  1-01: 1\n  1-02:1\n", 4, "冒号后要有空格：应写成“1-02: 1”"),
        ("institution：P05\nitems: {}\n", 1, "用了中文冒号“：”；键后面要用英文冒号加空格，如 institution: P05"),
        ("institution: P05\nreason: 原因: 说明\n", 2, '值里含有“: ”；请给整个值加引号，如 reason: "原因: 说明"'),
        (
            "items:\n  1-01: {score: 0, reason: 原因: 说明}\n",
            2,
            '花括号 { } 里的值含有“: ”；请给这个值加引号，如 {score: 0, reason: "原因: 说明"}',
        ),
        (
            "items:\n  1-01: {score: 0, reason: 缺\n  1-02: 1\n",
            2,
            "花括号 { } 没有正确结束：各项之间用英文逗号分隔，最后要写上 }；值里含有冒号或逗号时请给它加引号",
        ),
        ("institution: P05\nitems:\n\t1-01: 1\n", 3, "用了 Tab 键缩进；YAML 只能用空格缩进"),
        (
            'institution: P05\nname: "abc\nitems: 1\n',
            2,
            "引号没有配对：这一行开始的引号没有结束；请在值的末尾补上同样的引号",
        ),
        ("institution: P05\nitems:\n  1-01: 1\n 1-02: 1\n", 4, "缩进不对：同一层的键要左对齐（用空格，不用 Tab）"),
        (
            "institution: P05\nitems:\n  1-01: 1\n    1-02: 1\n",
            4,
            "缩进不对：这一行比上一行多缩进了；同一层的键要左对齐",
        ),
    ],
)
def test_yaml_syntax_errors_in_our_words_at_the_right_line(tmp_path, text, line, message):
    path = tmp_path / "P05.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlProblem) as err:
        read_yaml(path)
    assert (err.value.line, str(err.value)) == (line, f"YAML 格式错误：{message}")


def test_yaml_error_through_the_cli(clean):
    clean.edit("scores/2023/P05.yaml", "  1-03: 1\n", "  1-03:1\n")
    line = clean.read("scores/2023/P05.yaml").splitlines().index("  1-03:1") + 1
    result = clean.validate()
    assert result.err == (
        "错误：数据有 1 处问题，未写出任何文件：\n"
        f"  scores/2023/P05.yaml:{line}: 机构 P05: YAML 格式错误：冒号后要有空格：应写成“1-03: 1”\n"
    )


# --- misspelt fields ----------------------------------------------------------------------------


def test_a_misspelt_field_is_reported_once_with_the_field_meant(clean):
    clean.edit("scores/2023/P05.yaml", "assessed_on:", "asessed_on:")
    clean.edit("scores/2023/P05.yaml", "  1-02: 1\n", "  1-02: {scor: 1}\n")
    result = clean.validate()
    assert result.err == (
        "错误：数据有 2 处问题，未写出任何文件：\n"
        "  scores/2023/P05.yaml: 机构 P05: 评分表中有未知字段 asessed_on；您是不是要写 assessed_on？"
        "允许的字段：institution、assessed_on、senior_levels、online_exam、items、veto、sample\n"
        "  scores/2023/P05.yaml: 机构 P05: 指标 1-02: 未知字段 scor；您是不是要写 score？"
        "允许：score（得分）、reason（扣分原因）、self（自评分）、self_reason（自评扣分原因）\n"
    )


def test_a_missing_field_says_missing_not_none(clean):
    clean.edit("scores/2023/P05.yaml", "online_exam: false\n", "")
    result = clean.validate()
    assert result.err == (
        "错误：数据有 1 处问题，未写出任何文件：\n"
        "  scores/2023/P05.yaml: 机构 P05: 缺少 online_exam（是否使用在线机考），填 true 或 false\n"
    )


def test_a_misspelt_status_field(project):
    project.edit("scores/2023/status.yaml", "status: sample", "stauts: sample")
    result = project.validate()
    assert "实为 None" not in result.err and "为 None" not in result.err
    assert "  scores/2023/status.yaml: status.yaml 中有未知字段 stauts；您是不是要写 status？" in result.err
    assert result.err.startswith("错误：数据有 1 处问题")


# --- after publication ----------------------------------------------------------------------------


def test_an_invalid_sheet_after_publication_is_not_also_missing(tmp_path):
    root = approved_mini(tmp_path)
    assert run("build", "--root", str(root), "--publish", "--jobs", "1").code == 0
    sheet = root / "scores/2023/P01.yaml"
    sheet.write_text(
        sheet.read_text(encoding="utf-8").replace("assessed_on: 2024-01-08", "assessed_on: 1月8日"), encoding="utf-8"
    )
    result = run("validate", "--root", str(root))
    assert result.code == 1
    assert "评分表不见了" not in result.err
    assert result.err.startswith(
        "错误：数据有 1 处问题，未写出任何文件：\n  scores/2023/P01.yaml: 机构 P01: assessed_on"
    )


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=办公室", "-c", "user.email=office@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_publish_says_what_it_wrote_and_what_to_commit(tmp_path):
    root = approved_mini(tmp_path)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "数据")
    result = run("build", "--root", str(root), "--publish", "--jobs", "1")
    assert result.code == 0, result.err
    note = result.out.split("已正式发布：\n", 1)[1]
    assert note == (
        f"  网站：{root / 'output'}（整个文件夹上传到局网站）\n"
        f"  发布记录：{root / 'scores/2023/ledger.json'}\n"
        "请提交到版本库（git）：\n"
        "  scores/2023/ledger.json\n"
        f"  git -C {shlex.quote(str(root))} add -- scores/2023/ledger.json"
        f" && git -C {shlex.quote(str(root))} commit -m '正式发布'\n"
    )
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "发布")
    again = run("build", "--root", str(root), "--publish", "--jobs", "1")
    assert again.out.endswith("发布记录与版本库中的一致，无须提交。\n")


def test_publish_outside_git_says_to_keep_the_record(tmp_path):
    root = approved_mini(tmp_path / "n")
    result = run("build", "--root", str(root), "--publish", "--jobs", "1")
    assert result.code == 0, result.err
    assert f"  发布记录：{root / 'scores/2023/ledger.json'}\n请把发布记录连同评分表" in result.out
