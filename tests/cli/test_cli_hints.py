"""Every `nevisbench ...` command the code and docs name exists, and the catalogue commands they point to work."""

from __future__ import annotations

import argparse
import ast
import itertools
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

import nevisbench
from nevisbench.cli import build_parser, main

SRC = Path(nevisbench.__file__).parent
ROOT = SRC.parents[1]
COMMAND = re.compile(r"`(nevisbench\s[^`]+)`")
# Words of a hint that stand for a value: NAME, FILE, DIR, RUN_DIR, <directory>, and f-string fields.
PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]*$|<[^>]*>|\{x\}")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _registry_kinds() -> set[str]:
    """The kinds of every registry (``Registry("learner")``, ``unknown_name_error("config", ...)``)."""
    kinds = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("Registry", "unknown_name_error") and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                kinds.add(node.args[0].value)
    return kinds


def _strings(path: Path, kinds: set[str]) -> Iterator[str]:
    """Every string and docstring of a module; an f-string's fields read as ``{x}``, except a registry's
    ``{kind}``, which reads as each registry kind in turn (``See `nevisbench {kind}s list```)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            pieces = []
            for value in node.values:
                if isinstance(value, ast.Constant):
                    pieces.append([str(value.value)])
                elif ast.unparse(value.value) in ("kind", "self.kind"):
                    pieces.append(sorted(kinds))
                else:
                    pieces.append(["{x}"])
            yield from ("".join(choice) for choice in itertools.product(*pieces))


def _markdown_commands(text: str) -> Iterator[str]:
    """`nevisbench ...` in prose, and every command line of the code blocks (shell syntax)."""
    yield from COMMAND.findall(text)
    for block in re.findall(r"```(?:bash|sh|shell)?\n(.*?)```", text, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            for part in re.split(r"&&|\|\||;|\|", line):
                words = shlex.split(part, comments=True)
                if words[:1] == ["nevisbench"]:
                    yield shlex.join(words)


def named_commands() -> dict[str, set[str]]:
    """Command → the files naming it, over src/ (strings and docstrings), README.md and docs/*.md."""
    found: dict[str, set[str]] = {}
    kinds = _registry_kinds()
    for path in sorted(SRC.rglob("*.py")):
        for text in _strings(path, kinds):
            for command in COMMAND.findall(text):
                found.setdefault(_flat(command), set()).add(str(path.relative_to(ROOT)))
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for command in _markdown_commands(path.read_text()):
            found.setdefault(_flat(command), set()).add(str(path.relative_to(ROOT)))
    return found


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser] | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return None


def command_problem(command: str) -> str | None:
    """Why the parser refuses ``command``, or None when it accepts it.

    Its words must name a command (``nevisbench datasets prepare``), or a group when ``...`` follows
    (``nevisbench datasets ...``); words after the command must then parse as its arguments.
    """
    words = ["x" if PLACEHOLDER.search(word) else word for word in shlex.split(command)[1:]]
    group = bool(words) and words[-1] in ("...", "…")
    words = words[:-1] if group else words
    parser, depth = build_parser(), 0
    while (choices := _subcommands(parser)) is not None and depth < len(words):
        if words[depth].startswith("-"):  # a flag before the command, e.g. `nevisbench -v run`
            depth += 1
            continue
        if words[depth] not in choices:
            return f"no command {' '.join(['nevisbench', *words[:depth + 1]])!r}"
        parser, depth = choices[words[depth]], depth + 1
    if choices is not None and not group:  # also a flag alone: `nevisbench -v`
        return f"{' '.join(['nevisbench', *words])!r} is a group of commands, not a command"
    if depth < len(words):
        try:
            build_parser().parse_args(words)
        except SystemExit as error:
            if error.code not in (0, None):
                return "its arguments do not parse"
    return None


def test_every_command_named_in_code_and_docs_exists(capsys: pytest.CaptureFixture[str]) -> None:
    commands = named_commands()
    # The harvest itself works: hints of several modules, the registries' "See ... list", the README.
    assert len(commands) > 30
    for expected in ("nevisbench learners list", "nevisbench configs list", "nevisbench backbones list",
                     "nevisbench datasets prepare {x} --force", "nevisbench results runs/demo_independent"):
        assert expected in commands, expected
    problems = {command: (problem, sorted(where)) for command, where in commands.items()
                if (problem := command_problem(command))}
    capsys.readouterr()  # argparse's usage lines
    assert not problems


@pytest.mark.parametrize("command", ["nevisbench widgets list", "nevisbench datasets", "nevisbench datasets frob",
                                     "nevisbench run --no-such-flag", "nevisbench -v",
                                     "nevisbench streams show full --stop-year soon"])
def test_a_command_that_does_not_exist_is_caught(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert command_problem(command) is not None


def test_learners_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    from nevisbench.learners.registry import get_learner_entry, list_learners

    assert main(["learners", "list"]) == 0
    out = _flat(capsys.readouterr().out)
    for name in list_learners():
        assert name in out and _flat(get_learner_entry(name).description) in out
    assert "knn_neighbours" in out and "batch_size" in out
    assert main(["learners", "show", "dynamic"]) == 0
    out = _flat(capsys.readouterr().out)
    # Options of the learner's own Config and of its base, with their defaults and meanings.
    assert "knn_neighbours" in out and "k of the kNN classifier" in out
    assert "max_steps" in out and "50000" in out and "steps per trial" in out
    assert main(["learners", "show", "dynamik"]) == 2
    assert "Did you mean: dynamic" in _flat(capsys.readouterr().err)


def test_configs_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    from nevisbench.configs import list_configs

    assert main(["configs", "list"]) == 0
    out = _flat(capsys.readouterr().out)
    assert all(name in out for name in list_configs())
    assert "The offline demo: `independent` with a small CNN on the demo stream" in out
    assert main(["configs", "show", "demo"]) == 0
    out = capsys.readouterr().out
    assert "Command: nevisbench run" in out and '"learner": "independent"' in out
    assert main(["configs", "show", "dem"]) == 2
    assert "Did you mean: demo" in _flat(capsys.readouterr().err)


def test_backbones_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backbones", "list", "small*"]) == 0
    out = capsys.readouterr().out
    assert "small_cnn" in out and "0.24 M" in out and "128" in out
