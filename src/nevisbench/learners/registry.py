"""The learner registry: each learner registers a factory and its frozen Config dataclass."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from typing import Any

from nevisbench.learners.base import Learner
from nevisbench.registry import Registry


@dataclasses.dataclass(frozen=True)
class LearnerEntry:
    name: str
    config_class: type
    factory: Callable[[Any], Learner]
    description: str


_LEARNERS: Registry[LearnerEntry] = Registry("learner")
# Built-in learners live in these modules; importing one registers it.
_BUILTIN = (
    "nevisbench.learners.independent",
    "nevisbench.learners.previous",
    "nevisbench.learners.dynamic",
    "nevisbench.learners.oracle",
    "nevisbench.learners.efficient",
)
_loaded = False


def register_learner(
    name: str, config_class: type, factory: Callable[[Any], Learner], description: str = ""
) -> None:
    """Registers a learner; ``config_class`` must be a frozen dataclass whose fields are its options."""
    if not dataclasses.is_dataclass(config_class):
        raise TypeError(f"learner {name}: config_class must be a dataclass")
    _LEARNERS.register(name, LearnerEntry(name, config_class, factory, description))


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in _BUILTIN:
            importlib.import_module(module)


def list_learners(pattern: str = "*") -> list[str]:
    _load()
    return _LEARNERS.names(pattern)


def get_learner_entry(name: str) -> LearnerEntry:
    _load()
    return _LEARNERS.get(name)


def learner_config(name: str, **options: Any) -> Any:
    """Builds learner ``name``'s Config; an unknown option raises naming the field and the valid ones."""
    entry = get_learner_entry(name)
    fields = {f.name for f in dataclasses.fields(entry.config_class)}
    unknown = sorted(set(options) - fields)
    if unknown:
        import difflib

        hints = [
            f"{u} (did you mean {', '.join(difflib.get_close_matches(u, fields, 2))}?)"
            if difflib.get_close_matches(u, fields, 2)
            else u
            for u in unknown
        ]
        raise ValueError(
            f"learner {name} has no option {', '.join(hints)}; its options are "
            f"{', '.join(sorted(fields))}"
        )
    return entry.config_class(**options)


def create_learner(name: str, config: Any = None, **options: Any) -> Learner:
    """Creates learner ``name`` from a Config or from keyword options."""
    entry = get_learner_entry(name)
    if config is None:
        config = learner_config(name, **options)
    elif options:
        config = dataclasses.replace(config, **options)
    return entry.factory(config)
