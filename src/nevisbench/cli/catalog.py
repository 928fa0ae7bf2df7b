"""`nevisbench learners ...`, `nevisbench configs ...`, `nevisbench backbones ...`: what can be run, by name."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import re

from rich import box
from rich.markup import escape
from rich.table import Table

from nevisbench.cli.console import console

# An entry of a Google-style "Attributes:" section: "name: text" or "a / b / c: text", indented once.
_ATTRIBUTE = re.compile(r"^ {4}(\w+(?: / \w+)*):\s*(.*)$")


def option_docs(config_class: type) -> dict[str, str]:
    """Each option's description, from the "Attributes:" sections of the Config class and its bases."""
    docs: dict[str, str] = {}
    # Bases first, so that a subclass's own description of an option wins.
    for klass in reversed(config_class.__mro__):
        names: list[str] = []
        inside = False
        for line in inspect.cleandoc(klass.__dict__.get("__doc__") or "").splitlines():
            if line.strip() == "Attributes:":
                inside = True
            elif inside and line and not line.startswith(" "):
                inside = False
            elif inside and (match := _ATTRIBUTE.match(line)):
                names = match.group(1).split(" / ")
                docs.update(dict.fromkeys(names, match.group(2)))
            elif inside and line.strip() and names:
                for name in names:
                    docs[name] += " " + line.strip()
    return docs


def _default(field: dataclasses.Field) -> str:
    if field.default is not dataclasses.MISSING:
        return repr(field.default)
    if field.default_factory is not dataclasses.MISSING:
        return repr(field.default_factory())
    return "(required)"


def _plain(text: str) -> str:
    """Docstring text for the terminal: rich markup escaped, reST's double backquotes dropped."""
    return escape(text.replace("``", ""))


def cmd_learners_list(args: argparse.Namespace) -> int:
    from nevisbench.learners.registry import get_learner_entry, list_learners

    names = list_learners(args.pattern)
    if not names:
        raise KeyError(f"no learner matches {args.pattern!r}; `nevisbench learners list` shows them all")
    table = Table(title=f"{len(names)} learners (`--learner NAME`)", box=box.SIMPLE_HEAD, show_lines=True)
    table.add_column("learner", no_wrap=True)
    table.add_column("what it does, and its options (`nevisbench learners show NAME`)")
    for name in names:
        entry = get_learner_entry(name)
        options = ", ".join(f.name for f in dataclasses.fields(entry.config_class))
        table.add_row(name, f"{_plain(entry.description)}\n[dim]options: {options}[/dim]")
    console.print(table)
    return 0


def cmd_learners_show(args: argparse.Namespace) -> int:
    from nevisbench.learners.registry import get_learner_entry

    entry = get_learner_entry(args.name)
    docs = option_docs(entry.config_class)
    table = Table(title=f"{entry.name}: {_plain(entry.description)} (`--set options.NAME=VALUE`)",
                  box=box.SIMPLE_HEAD)
    table.add_column("option, type", no_wrap=True)
    table.add_column("default", overflow="fold")
    table.add_column("meaning", ratio=1)
    for field in dataclasses.fields(entry.config_class):
        table.add_row(f"{field.name}\n[dim]{escape(str(field.type))}[/dim]", escape(_default(field)),
                      _plain(docs.get(field.name, "")))
    console.print(table)
    return 0


def _summary(module: object) -> str:
    """A module docstring's first paragraph (its summary sentence, which may wrap over lines)."""
    doc = inspect.cleandoc(getattr(module, "__doc__", None) or "")
    return " ".join(doc.split("\n\n")[0].split())


def _config_module(name: str):
    from nevisbench.configs import list_configs
    from nevisbench.registry import unknown_name_error

    if name not in list_configs():
        raise unknown_name_error("config", name, list_configs())
    return importlib.import_module(f"nevisbench.configs.{name}")


def cmd_configs_list(args: argparse.Namespace) -> int:
    from nevisbench.configs import list_configs

    table = Table(title="configs (`nevisbench run --config NAME`; `nevisbench configs show NAME`)",
                  box=box.SIMPLE_HEAD)
    table.add_column("config", no_wrap=True)
    table.add_column("description")
    for name in list_configs():
        table.add_row(name, _plain(_summary(_config_module(name))))
    console.print(table)
    return 0


def cmd_configs_show(args: argparse.Namespace) -> int:
    from nevisbench.configs import list_configs, load_config

    config = load_config(args.name)  # a built-in name, a .py file or a config.json
    if args.name in list_configs():
        # soft_wrap: the docstring's own line breaks are kept (it is laid out as a table of facts).
        console.print(_plain(inspect.cleandoc(_config_module(args.name).__doc__ or "")), soft_wrap=True)
    console.print_json(data=config.to_dict())
    return 0


def cmd_backbones_list(args: argparse.Namespace) -> int:
    from nevisbench.learners.nn.backbones import create_backbone, list_backbones

    names = list_backbones(args.pattern)
    if not names:
        raise KeyError(f"no backbone matches {args.pattern!r}; `nevisbench backbones list` shows them all")
    table = Table(title=f"{len(names)} backbones (`--set options.backbone=NAME`)")
    for column in ("backbone", "parameters", "embedding"):
        table.add_column(column, justify="left" if column == "backbone" else "right")
    for name in names:
        # Built to be counted (a second for all of them on a CPU): the registry holds factories only.
        model = create_backbone(name)
        parameters = sum(p.numel() for p in model.parameters())
        table.add_row(name, f"{parameters / 1e6:.2f} M", str(model.embedding_dim))
    console.print(table)
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Adds ``learners list|show``, ``configs list|show`` and ``backbones list``."""
    learners = commands.add_parser("learners", help="list learners and their options").add_subparsers(
        dest="action", required=True
    )
    p = learners.add_parser("list", help="each learner, what it does, and its option names")
    p.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern, e.g. 'dyn*'")
    p.set_defaults(func=cmd_learners_list)
    p = learners.add_parser("show", help="a learner's options: type, default and meaning")
    p.add_argument("name")
    p.set_defaults(func=cmd_learners_show)

    configs = commands.add_parser("configs", help="list and show the built-in run configs").add_subparsers(
        dest="action", required=True
    )
    p = configs.add_parser("list", help="each built-in config and the first line of its docstring")
    p.set_defaults(func=cmd_configs_list)
    p = configs.add_parser("show", help="a config's docstring (command, hardware, cost) and its settings")
    p.add_argument("name", help="a built-in config, a .py file or a config.json")
    p.set_defaults(func=cmd_configs_show)

    backbones = commands.add_parser("backbones", help="list the backbones options.backbone takes").add_subparsers(
        dest="action", required=True
    )
    p = backbones.add_parser("list", help="each backbone with its parameter count and embedding size")
    p.add_argument("pattern", nargs="?", default="*")
    p.set_defaults(func=cmd_backbones_list)
