"""Run configuration: typed frozen dataclasses, `--set key=value` overrides, and a JSON round trip."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any

from nevisbench.executors import ExecutorConfig
from nevisbench.learners.registry import get_learner_entry, learner_config


@dataclasses.dataclass(frozen=True)
class StreamConfig:
    """Which stream to run.

    Attributes:
        name: a registered stream id.
        stop_year: exclusive stop year; None: the stream's default (2020 for the reference variants,
            so the held-out years run only when asked; pass e.g. 2022, or 10000 for every row).
        predict_splits: the splits predicted after each train event (dev_test while developing a
            method, test for final numbers).
        final_evaluation: re-evaluate every seen task at the end of the stream.
        exclude: datasets left out of the stream (``run --skip-unavailable`` records those that could
            not be prepared); a run with any is not comparable to the paper's.
    """

    name: str = "demo"
    stop_year: int | None = None
    predict_splits: tuple[str, ...] = ("dev_test",)
    final_evaluation: bool = True
    exclude: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ComputeConfig:
    """How a run's compute is reported.

    Attributes:
        include_pretraining: add the FLOPs that made the ``options.init_from`` checkpoint (recorded in
            it by ``nevisbench pretrain``) to the run's total, as the category ``pretraining``.
        compile: train each trial through ``torch.compile`` (TorchInductor); off by default: it did
            not pay on CPU (docs/cluster.md). Part of a run's identity, as kernels may sum in
            another order.
        peak_tflops: the device's dense peak in TFLOP/s that each trial's MFU is measured against;
            None: the table of ``compute/throughput.py`` for the GPU and the trial's precision (no MFU
            on a CPU or an unknown GPU). Not part of a run's identity: it changes no result.
        data_parallel: train each trial (and ``pretrain``) with this many processes under
            torch.distributed DDP, each on its share of every batch (gloo on CPU, NCCL with one GPU
            per process on CUDA); 1: one process. The batch size must divide by it. Part of a run's
            identity when not 1 (per-process BatchNorm statistics; docs/cluster.md).
    """

    include_pretraining: bool = False
    compile: bool = False
    peak_tflops: float | None = None
    data_parallel: int = 1

    def __post_init__(self) -> None:
        if self.peak_tflops is not None and not 0 < self.peak_tflops < float("inf"):
            raise ValueError(f"compute.peak_tflops must be > 0 (TFLOP/s), or None for the table of GPU peaks; "
                             f"got {self.peak_tflops}")
        if isinstance(self.data_parallel, bool) or not isinstance(self.data_parallel, int) or self.data_parallel < 1:
            raise ValueError(f"compute.data_parallel must be an integer of at least 1 (1 = one process), "
                             f"got {self.data_parallel!r}")


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """A whole run: stream, learner and its options, seed, device.

    Attributes:
        stream: the stream.
        learner: a registered learner id.
        options: the learner's Config (a frozen dataclass of its options).
        seed: the run seed; every random choice of the run derives from it.
        device: ``auto`` (CUDA when available), ``cpu`` or ``cuda[:N]``.
        store_resolution: side of stored images when datasets are prepared by the run (the model's
            input side is the learner's ``options.image_size``).
        executor: where trials run (local, process workers, a Ray cluster).
        compute: how compute is reported.
    """

    stream: StreamConfig = StreamConfig()
    learner: str = "independent"
    options: Any = None
    seed: int = 0
    device: str = "auto"
    store_resolution: int = 96
    executor: ExecutorConfig = ExecutorConfig()
    compute: ComputeConfig = ComputeConfig()

    def __post_init__(self) -> None:
        if self.options is None:
            object.__setattr__(self, "options", learner_config(self.learner))
        elif not isinstance(self.options, get_learner_entry(self.learner).config_class):
            raise ValueError(
                f"options must be the Config of learner {self.learner}, "
                f"got {type(self.options).__name__}"
            )

    def to_dict(self) -> dict[str, Any]:
        stream = _plain(dataclasses.asdict(self.stream))
        if not stream["exclude"]:
            # Left out when empty, so the config (and so the identity) of every earlier run is unchanged.
            del stream["exclude"]
        return {
            "stream": stream,
            "learner": self.learner,
            "options": _plain(dataclasses.asdict(self.options)),
            "seed": self.seed,
            "device": self.device,
            "store_resolution": self.store_resolution,
            "executor": _plain(dataclasses.asdict(self.executor)),
            "compute": _plain(dataclasses.asdict(self.compute)),
        }

    def identity(self) -> dict[str, Any]:
        """What must match for a workdir's run to be resumed: everything but where trials run."""
        out = self.to_dict()
        out.pop("executor")
        if not self.compute.compile:
            # Absent when off, as before the setting existed: earlier workdirs still resume.
            out["compute"].pop("compile")
        # How MFU is stated, not what the run computes: a resume may correct it.
        out["compute"].pop("peak_tflops")
        if self.compute.data_parallel == 1:
            out["compute"].pop("data_parallel")
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            renamed = " (`resolution` is now `store_resolution`)" if "resolution" in unknown else ""
            raise ValueError(f"config has unknown field(s) {unknown}{renamed}; fields are {sorted(known)}")
        learner = data.get("learner", "independent")
        options_class = get_learner_entry(learner).config_class
        return cls(
            stream=_build(StreamConfig, data.get("stream", {}), "stream"),
            executor=_build(ExecutorConfig, data.get("executor", {}), "executor"),
            compute=_build(ComputeConfig, data.get("compute", {}), "compute"),
            learner=learner,
            options=_build(options_class, data.get("options", {}), "options"),
            **{
                k: _coerce(v, _hints(cls)[k], k)
                for k, v in data.items()
                if k in ("seed", "device", "store_resolution")
            },
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> RunConfig:
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path} is not valid JSON: {error}") from None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    if not isinstance(values, dict):
        raise ValueError(f"{where} must be an object of fields, got {values!r}")
    hints = _hints(cls)
    unknown = sorted(set(values) - set(hints))
    if unknown:
        raise ValueError(
            f"{where} has no field {', '.join(unknown)}; fields are {', '.join(sorted(hints))}"
        )
    return cls(**{k: _coerce(v, hints[k], f"{where}.{k}") for k, v in values.items()})


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _coerce(value: Any, annotation: Any, field: str) -> Any:
    """Converts ``value`` (a JSON value or a command-line string) to ``annotation``, or raises naming the field."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        is_none = value is None or (isinstance(value, str) and value.lower() in ("none", "null"))
        if is_none and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, field)
            except ValueError as error:
                errors.append(str(error))
        raise ValueError(f"{field} must be {_type_name(annotation)}, got {value!r}")
    if origin is tuple:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            raise ValueError(f"{field} must be a list, got {value!r}")
        return tuple(
            _coerce(item.strip() if isinstance(item, str) else item, args[0], field)
            for item in items
        )
    if annotation is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "1", "yes", "false", "0", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ValueError(f"{field} must be bool (true/false), got {value!r}")
    if annotation is int:
        if isinstance(value, bool):
            raise ValueError(f"{field} must be int, got {value!r}")
        try:
            if isinstance(value, str):
                return int(value.replace("_", ""))
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{field} must be int, got {value!r}") from None
    if annotation is float:
        if isinstance(value, bool):
            raise ValueError(f"{field} must be float, got {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{field} must be float, got {value!r}") from None
    if annotation is str:
        if not isinstance(value, str):
            raise ValueError(f"{field} must be str, got {value!r}")
        return value
    if annotation is typing.Any:
        return value
    raise ValueError(
        f"{field}: cannot set a field of type {_type_name(annotation)} from the command line"
    )


def apply_overrides(config: RunConfig, assignments: list[str]) -> RunConfig:
    """Applies ``key=value`` assignments (``stream.name=full``, ``options.lr=0.1``, ``seed=3``).

    ``learner=NAME`` switches learner; the options the new learner shares with the old one keep their
    values (``--learner previous`` on the demo config keeps the demo's budget), the others take the
    new learner's defaults.
    """
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"--set takes key=value, got {assignment!r}")
        head, _, rest = key.partition(".")
        if head == "learner" and not rest:
            fields = {f.name for f in dataclasses.fields(get_learner_entry(value).config_class)}
            shared = {k: v for k, v in dataclasses.asdict(config.options).items() if k in fields}
            config = dataclasses.replace(config, learner=value, options=learner_config(value, **shared))
        elif head in ("stream", "options", "executor", "compute") and rest:
            inner = getattr(config, head)
            hints = _hints(type(inner))
            if rest not in hints:
                import difflib

                close = difflib.get_close_matches(rest, hints, 2)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise ValueError(
                    f"unknown setting {key!r}{hint}; {head} fields: {', '.join(sorted(hints))}"
                )
            inner = dataclasses.replace(inner, **{rest: _coerce(value, hints[rest], key)})
            config = dataclasses.replace(config, **{head: inner})
        elif head in ("seed", "device", "store_resolution") and not rest:
            config = dataclasses.replace(
                config, **{head: _coerce(value, _hints(RunConfig)[head], head)}
            )
        else:
            raise ValueError(
                f"unknown setting {key!r}; settings are stream.<field>, learner, options.<field>, "
                f"executor.<field>, compute.<field>, seed, device, store_resolution"
            )
    return config
