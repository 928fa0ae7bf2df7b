"""The package's layers: nothing imports upward, so each layer can be read (and replaced) on its own."""

from __future__ import annotations

import ast
from pathlib import Path

import nevisbench

# Bottom to top; a module may import its own layer and the layers below it, never above (lazy
# imports inside functions included: they are dependencies all the same). docs/DESIGN.md explains it.
LAYERS: list[set[str]] = [
    {"__init__", "files", "values", "records", "registry"},
    {"compute", "metrics", "executors"},
    {"data"},
    {"streams"},
    {"learners"},
    {"config"},
    {"protocol"},
    {"reporting"},
    {"configs"},
    {"cli"},
]
ROOT = Path(nevisbench.__file__).parent


def _layer(component: str) -> int:
    for level, members in enumerate(LAYERS):
        if component in members:
            return level
    raise AssertionError(f"nevisbench.{component} is in no layer: add it to LAYERS and docs/DESIGN.md")


def _component(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("nevisbench"):
            found.add(_component(node.module))
        elif isinstance(node, ast.Import):
            found |= {_component(a.name) for a in node.names if a.name.startswith("nevisbench.")}
    return found


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        own = "__init__" if parts == ("__init__",) else parts[0]
        for target in _imports(path):
            if _layer(target) > _layer(own):
                upward.append(f"{path.relative_to(ROOT)} imports nevisbench.{target}")
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_no_module_outside_the_handlers_is_over_400_lines() -> None:
    exempt = {"data/extract.py"}
    long = [f"{p.relative_to(ROOT)}: {n}" for p in sorted(ROOT.rglob("*.py"))
            if "handlers" not in p.parts and str(p.relative_to(ROOT)) not in exempt
            and (n := len(p.read_text().splitlines())) > 400]
    assert not long, "modules over 400 lines: " + ", ".join(long)
