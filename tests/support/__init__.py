"""Helpers shared by the test modules, which import them from here (`from support.mini import
make_mini`): never from one another, nor from conftest.py, which holds only the fixtures.

- project: the repo's data in a throwaway project (`Project`, `copy_project`), the CLI run in-process
  (`in_process`) or in a new interpreter (`Project.cli_process`), `REPO`;
- mini: a small deterministic project (5 institutions, hostile text), approved or not;
- second_year: a second assessment year with another form, on top of the mini project;
- objections: the mini project approved, with objections through the 公示 phases;
- browser: a headless Chromium (the session fixture conftest.py exposes) and a local HTTP server;
- quality: the readability and accessibility checks run on built pages.
"""
