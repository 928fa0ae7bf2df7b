"""The dataset catalogue as Markdown (docs/datasets.md is this, generated: `nevisbench datasets doc`)."""

from __future__ import annotations

from nevisbench.data.spec import Artefact, DatasetSpec, get_dataset, list_datasets

_KIND_TEXT = {
    "url": "URL",
    "kaggle_dataset": "Kaggle dataset",
    "kaggle_competition": "Kaggle competition",
    "gdrive": "Google Drive file",
    "manual": "manual download",
    "package": "file of an installed package",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _artefact(artefact: Artefact) -> str:
    kind = _KIND_TEXT[artefact.kind]
    checksum = ""
    if artefact.md5:
        md5 = artefact.md5 if isinstance(artefact.md5, str) else " or ".join(artefact.md5)
        checksum = f", MD5 `{md5}`"
    elif artefact.sha256:
        checksum = f", SHA-256 `{artefact.sha256}`"
    source = f"<{artefact.source}>" if artefact.kind == "url" else f"`{artefact.source}`"
    line = f"`{artefact.filename}`: {kind} {source}{checksum}"
    if artefact.kind == "manual" and artefact.instructions:
        line += f". {artefact.instructions}"
    return line


def _stream_years() -> dict[str, list[int]]:
    from nevisbench.streams.table import reference_rows

    years: dict[str, list[int]] = {}
    for row in reference_rows("full"):
        years.setdefault(row.dataset, []).append(row.year)
    return years


def _section(spec: DatasetSpec, years: list[int]) -> list[str]:
    lines = [
        f"### `{spec.id}`: {spec.title}",
        "",
        f"- **Task**: {spec.num_classes} {'labels (multi-label)' if spec.kind.value == 'multi_label' else 'classes'}, "
        f"{'grey' if spec.channels == 1 else 'RGB'}"
        + (f"; FULL stream year{'s' if len(years) > 1 else ''} {', '.join(map(str, years))}" if years else
           "; not in the reference FULL stream"),
        f"- **Splits**: {spec.split_rule}",
        f"- **Source**: <{spec.homepage}>; paper: {spec.paper_title} (<{spec.paper_url}>)",
        f"- **License**: {spec.license}",
        "- **Raw files**:",
    ]
    lines += [f"  - {_artefact(a)}" for a in spec.artefacts]
    if spec.notes:
        lines.append(f"- **Decisions**: {spec.notes}")
    return [*lines, ""]


def render_markdown() -> str:
    """docs/datasets.md: a summary table, then one section per registered dataset."""
    names = list_datasets()
    years = _stream_years()
    out = [
        "# Datasets",
        "",
        "Generated from the dataset specs by `nevisbench datasets doc -o docs/datasets.md`; edit the specs "
        "(`src/nevisbench/data/handlers/`), not this file. `nevisbench datasets info ID` shows the same for one "
        "dataset, with its prepared store.",
        "",
        "Split codes follow the reference (nevis_reference.md §1.4, §2.3): R4 = random 56/12/12/20 over all "
        "examples; T3 = official train pool 70/15/15, official test; T2 = official train pool 80/20, official "
        "validation as dev_test, official test; TFDS-A / TFDS-B = contiguous slices of the TFDS splits.",
        "",
        f"{len(names)} datasets.",
        "",
        "| id | title | classes | kind | first year | raw files from |",
        "|---|---|---|---|---|---|",
    ]
    specs = [get_dataset(name) for name in names]
    for spec in specs:
        kinds = sorted({_KIND_TEXT[a.kind] for a in spec.artefacts})
        first = str(min(years[spec.id])) if spec.id in years else "-"
        out.append(f"| `{spec.id}` | {_cell(spec.title)} | {spec.num_classes} | {spec.kind.value} | {first} | "
                   f"{', '.join(kinds)} |")
    out += ["", "## Each dataset", ""]
    for spec in specs:
        out += _section(spec, years.get(spec.id, []))
    return "\n".join(out).rstrip() + "\n"
