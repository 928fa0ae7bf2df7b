"""Experiment configs as code: each module's docstring states its command, hardware, wall time, FLOPs, result.

``nevisbench run --config NAME`` takes a module name here (demo, cheap, reference), a ``.py`` file that
defines ``CONFIG``, or a ``config.json`` saved by an earlier run (replays it).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path

from nevisbench.config import RunConfig
from nevisbench.registry import unknown_name_error


def list_configs() -> list[str]:
    return sorted(
        info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")
    )


def load_config(name_or_path: str) -> RunConfig:
    """A built-in config by name, a Python file defining ``CONFIG``, or a JSON config file."""
    path = Path(name_or_path)
    if path.suffix == ".json":
        if not path.is_file():
            raise FileNotFoundError(f"--config {path}: no such file")
        return RunConfig.load(path)
    if path.suffix == ".py":
        if not path.is_file():
            raise FileNotFoundError(f"--config {path}: no such file")
        spec = importlib.util.spec_from_file_location(f"nevisbench_user_config_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    elif name_or_path in list_configs():
        module = importlib.import_module(f"{__name__}.{name_or_path}")
    else:
        raise unknown_name_error("config", name_or_path, list_configs())
    config = getattr(module, "CONFIG", None)
    if not isinstance(config, RunConfig):
        raise ValueError(f"--config {name_or_path}: the module defines no CONFIG = RunConfig(...)")
    return config
