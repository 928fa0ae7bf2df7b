"""Value types: splits parse both spellings, usage sums FLOPs and keeps peaks, keys round-trip."""

from __future__ import annotations

import pytest

from nevisbench.registry import Registry
from nevisbench.values import ResourceUsage, Split, TaskKey, TaskKind


def test_split_parse() -> None:
    assert Split.parse("dev-test") is Split.DEV_TEST
    assert Split.parse("TRAIN_AND_DEV") is Split.TRAIN_AND_DEV
    with pytest.raises(ValueError, match="unknown split 'validation'"):
        Split.parse("validation")


def test_resource_usage_sums_flops_and_maxes_peaks() -> None:
    total = ResourceUsage(10, 5, 20) + ResourceUsage(7, 9, 4)
    assert total == ResourceUsage(17, 9, 20)
    assert sum([ResourceUsage(1), ResourceUsage(2)], ResourceUsage()) == ResourceUsage(3)
    assert total.to_dict() == {"flops": 17, "peak_parameter_count": 9, "peak_parameter_bytes": 20}


def test_task_key_round_trip() -> None:
    key = TaskKey("voc2007", TaskKind.MULTI_LABEL, 20)
    assert TaskKey.from_dict(key.to_dict()) == key


def test_registry() -> None:
    registry: Registry[int] = Registry("widget")
    registry.register("mnist", 1)
    registry.register("mnist_5k", 2)
    assert registry.names("mnist*") == ["mnist", "mnist_5k"] and len(registry) == 2
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("mnist", 3)
    with pytest.raises(KeyError, match="Did you mean: mnist"):
        registry.get("mnsit")
