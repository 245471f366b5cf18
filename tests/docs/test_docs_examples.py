"""The docs' examples are real: their code parses, their commands parse, their sessions run.

- Every ```python block in the docs and the README parses (`ast.parse`).
- Every `scrypath ...` command the docs show parses with the real CLI, flags included,
  and every `python -m verify ...` names a registered phase. See `command_lines` for
  which lines count as commands.
- Every ```pycon session runs as a doctest (ELLIPSIS, NORMALIZE_WHITESPACE) against the
  provisioned Meilisearch and a temporary database, with the set-up its page declares
  (`tests/docs/conftest.py` says how set-ups, `exec` and `step` comments work).
"""

from __future__ import annotations

import ast
import doctest
import re
import shlex
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from scrypath.cli import cli
from tests.docs.conftest import SETUPS, DocsRun
from tests.docs.docs_pages import (
    README,
    Block,
    doctest_setup,
    fenced_blocks,
    inline_code,
    page_name,
    pages,
    read,
)
from verify.registry import collect_phases, plugin_manager

SHELL_LANGUAGES = {"bash", "sh", "shell"}
PROMPT_LANGUAGES = {"console", "text", ""}
SYNOPSIS_MARKS = ("[", "<", "|", "...", "…")
USAGE_ERROR = re.compile(r"^scrypath[\w -]*: error \[usage\]: (?P<message>.+?) \(see .+ --help\)$")
_STEP = re.compile(r"<!--\s*doctest:\s*(?P<what>exec|step=(?P<step>[\w-]+))\s*-->")


def all_pages() -> list[Path]:
    return [*pages(), README]


def _ids(paths: list[Path]) -> list[str]:
    return [page_name(path) for path in paths]


# -- python blocks -------------------------------------------------------------------------


@pytest.mark.parametrize("path", all_pages(), ids=_ids(all_pages()))
def test_every_python_block_parses(path: Path) -> None:
    for block in fenced_blocks(read(path)):
        if block.language in ("python", "py"):
            try:
                ast.parse(block.body)
            except SyntaxError as error:
                pytest.fail(f"{page_name(path)}:{block.line}: {error}")


# -- command lines -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommandLine:
    """A command the docs show, where, and the usage error the docs say it ends with."""

    argv: tuple[str, ...]
    where: str
    usage_error: str | None = None
    inline: bool = False


def command_lines(path: Path) -> Iterator[CommandLine]:
    """The commands a page shows, by these rules:

    - in ```bash, ```sh and ```shell blocks, every line is a command line (a leading `$ `
      prompt is dropped); in ```console and ```text blocks only lines with a `$ ` prompt
      are, because the other lines are output or synopses;
    - a command line is split into commands at `&&`, `||`, `;` and `|`, and `#` starts a
      comment;
    - an inline code span that starts with `scrypath ` or `python -m verify` is a command,
      unless it holds a synopsis or placeholder mark (`[`, `<`, `|`, `...`), which the
      synopses in the tables use;
      A span that names only a command (`scrypath settings diff`), or a command and one
      of its options (`scrypath worker --database`), refers to it: the command and the
      option must exist;
    - when the line after a prompt line is the CLI's usage error
      (`scrypath X: error [usage]: ...`), the command must fail parsing with that message.
    """
    name = page_name(path)
    text = read(path)
    for block in fenced_blocks(text):
        lines = block.body.splitlines()
        for offset, line in enumerate(lines):
            prompted = line.startswith("$ ")
            if not prompted and block.language not in SHELL_LANGUAGES:
                continue
            if block.language not in SHELL_LANGUAGES | PROMPT_LANGUAGES:
                continue
            following = lines[offset + 1] if offset + 1 < len(lines) else ""
            usage = USAGE_ERROR.match(following) if prompted else None
            for argv in _commands(line.removeprefix("$ ")):
                yield CommandLine(
                    argv, f"{name}:{block.line + offset}", usage["message"] if usage else None
                )
    for span in inline_code(text):
        if span.startswith(("scrypath ", "python -m verify")) and not any(
            mark in span for mark in SYNOPSIS_MARKS
        ):
            for argv in _commands(span):
                yield CommandLine(argv, f"{name}: `{span}`", inline=True)


def _commands(line: str) -> Iterator[tuple[str, ...]]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    command: list[str] = []
    for token in [*lexer, ";"]:
        if set(token) <= set(";&|"):
            if command:
                yield tuple(command)
            command = []
        else:
            command.append(token)


def documented_commands(program: tuple[str, ...]) -> list[CommandLine]:
    found = [
        line
        for path in all_pages()
        for line in command_lines(path)
        if line.argv[: len(program)] == program
    ]
    assert found, f"no {' '.join(program)} command found in the docs"
    return found


def parse(argv: tuple[str, ...]) -> None:
    """Parse `argv` as the console script would, down to the leaf command, running nothing.

    Groups do not take options after their subcommand's name, so what a group's parser
    leaves over is the tail of its arguments: the subcommand's name, then its arguments.
    """
    command: click.Command = cli
    name, args = "scrypath", list(argv)
    with ExitStack() as stack:
        parent: click.Context | None = None
        while True:
            try:
                ctx = stack.enter_context(
                    command.make_context(name, list(args), parent=parent, resilient_parsing=False)
                )
            except click.exceptions.Exit as done:  # --help, --version: parsed, then exited
                assert done.exit_code == 0
                return
            if not isinstance(command, click.Group):
                return
            position = len(args) - len(ctx.args) - 1
            if position < 0 or args[position].startswith("-"):
                return
            resolved, found, _ = command.resolve_command(ctx, [args[position]])
            assert resolved is not None and found is not None
            command, name, args, parent = found, resolved, args[position + 1 :], ctx


def refers(argv: tuple[str, ...]) -> bool:
    """Whether `argv` only names a command (and maybe one of its options), which must exist."""
    command: click.Command = cli
    for i, word in enumerate(argv):
        if isinstance(command, click.Group) and word in command.commands:
            command = command.commands[word]
            continue
        if i == len(argv) - 1 and word.startswith("-"):
            options = {"--help", *(opt for param in command.params for opt in param.opts)}
            if word not in options:
                raise click.UsageError(f"No such option {word!r} on {command.name}.")
            return True
        return False
    return True


def test_every_scrypath_command_in_the_docs_parses(capsys: pytest.CaptureFixture[str]) -> None:
    failures = []
    for line in documented_commands(("scrypath",)):
        try:
            if line.inline and refers(line.argv[1:]):
                continue
            parse(line.argv[1:])
        except click.UsageError as error:
            if line.usage_error is None or error.format_message() != line.usage_error:
                failures.append(f"{line.where}: {shlex.join(line.argv)}: {error.format_message()}")
        else:
            if line.usage_error is not None:
                failures.append(f"{line.where}: parses, but the docs show: {line.usage_error}")
    capsys.readouterr()
    assert failures == []


def test_the_parser_check_refuses_what_the_cli_refuses() -> None:
    parse(("index", "contract-drift", "app.models:Book", "--json"))
    parse(("--debug", "failed", "--no-class-summary", "--limit", "10"))
    for argv in (
        ("index", "contract-drift"),
        ("failed", "--limit", "zero"),
        ("status", "--bogus"),
        ("settings", "unknown"),
        ("reconcile", "app:Book", "--action", "everything"),
    ):
        with pytest.raises(click.UsageError):
            parse(argv)


def test_every_verify_command_in_the_docs_names_a_registered_phase() -> None:
    phases = collect_phases(plugin_manager())
    unknown = []
    for line in documented_commands(("python", "-m", "verify")):
        args = list(line.argv[3:])
        names = [
            arg
            for i, arg in enumerate(args)
            if not arg.startswith("-") and (i == 0 or args[i - 1] != "--json")
        ]
        unknown += [f"{line.where}: {name}" for name in names if name not in phases]
    assert unknown == []


# -- pycon sessions ------------------------------------------------------------------------


def session_pages() -> list[Path]:
    return [path for path in all_pages() if any(_is_pycon(b) for b in fenced_blocks(read(path)))]


def _is_pycon(block: Block) -> bool:
    return block.language == "pycon"


class PrefixBlindChecker(doctest.OutputChecker):
    """Compares output with the test's index prefix removed, as a reader's run shows it."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        return super().check_output(want, got.replace(self.prefix, ""), optionflags)

    def output_difference(self, example: doctest.Example, got: str, optionflags: int) -> str:
        return super().output_difference(example, got.replace(self.prefix, ""), optionflags)


def run_page(path: Path, run: DocsRun) -> list[str]:
    """Run a page top to bottom; the doctest report of each failing example."""
    text = read(path)
    setup_name = doctest_setup(text)
    assert setup_name is not None, f"{page_name(path)} has pycon sessions but no doctest setup"
    assert setup_name in SETUPS, f"{page_name(path)}: unknown doctest setup {setup_name!r}"
    setup = SETUPS[setup_name]
    setup.prepare(run)
    runner = doctest.DocTestRunner(
        checker=PrefixBlindChecker(run.prefix),
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    report: list[str] = []
    for kind, value, line in _events(text):
        if kind == "step":
            setup.steps[value](run)
        elif kind == "exec":
            _exec(run, value, f"{page_name(path)}:{line}")
        else:
            test = doctest.DocTestParser().get_doctest(
                value, run.namespace, f"{page_name(path)}:{line}", str(path), line - 1
            )
            runner.run(test, out=report.append, clear_globs=False)
            run.namespace.update(test.globs)  # a DocTest runs in a copy; later sessions go on
    return report


def _events(text: str) -> Iterator[tuple[str, str, int]]:
    """Steps, executed blocks and sessions, in page order."""
    blocks = fenced_blocks(text)
    markers = [(text.count("\n", 0, match.start()) + 1, match) for match in _STEP.finditer(text)]
    items: list[tuple[int, str, str]] = []
    for line, match in markers:
        if match["step"]:
            items.append((line, "step", match["step"]))
            continue
        block = next(b for b in blocks if b.line > line and b.language == "python")
        title = re.search(r'title="(\w+)\.py"', block.info)
        items.append((block.line, "exec", f"{title[1] if title else ''}\n{block.body}"))
    items += [(b.line, "session", b.body) for b in blocks if _is_pycon(b)]
    for line, kind, value in sorted(items, key=lambda item: item[0]):
        yield kind, value, line


def _exec(run: DocsRun, value: str, where: str) -> None:
    """Execute a page's python block: in the page's namespace, or as the module it titles."""
    module, _, source = value.partition("\n")
    namespace = run.module(module).__dict__ if module else run.namespace
    exec(compile(source, where, "exec"), namespace)


@pytest.mark.parametrize("path", session_pages(), ids=_ids(session_pages()))
def test_every_pycon_session_runs(path: Path, docs_run: DocsRun) -> None:
    report = run_page(path, docs_run)
    assert not report, "".join(report)


def test_a_session_whose_output_differs_fails(docs_run: DocsRun, tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- doctest: setup=catalog -->\n\n```pycon\n>>> 1 + 1\n3\n```\n", encoding="utf-8"
    )
    report = run_page(page, docs_run)
    assert len(report) == 1 and "Expected:\n    3\nGot:\n    2" in report[0]


def test_a_page_with_sessions_must_declare_its_setup(docs_run: DocsRun, tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```pycon\n>>> 1 + 1\n2\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="no doctest setup"):
        run_page(page, docs_run)
