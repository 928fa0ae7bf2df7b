"""Run configs: typed overrides that name the bad field, JSON round trip, built-in configs, learner options."""

from __future__ import annotations

from pathlib import Path

import pytest

from nevisbench.config import RunConfig, StreamConfig, apply_overrides
from nevisbench.configs import list_configs, load_config
from nevisbench.learners import create_learner, learner_config, list_learners


def test_overrides_are_typed() -> None:
    config = apply_overrides(RunConfig(), ["options.max_steps=1_000", "options.lr=0.05", "seed=3",
                                           "stream.stop_year=2022", "stream.predict_splits=dev_test,test",
                                           "options.amp=false", "options.batch_size=none"])
    assert config.options.max_steps == 1000 and config.options.lr == 0.05 and config.seed == 3
    assert config.stream == StreamConfig("demo", 2022, ("dev_test", "test"), True)
    assert config.options.amp is False and config.options.batch_size is None


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("options.max_step=5", "unknown setting 'options.max_step' \\(did you mean max_steps"),
        ("options.max_steps=ten", "options.max_steps must be int, got 'ten'"),
        ("options.lr=fast", "options.lr must be float"),
        ("seed=1.5", "seed must be int"),
        ("options.amp=maybe", "options.amp must be bool"),
        ("colour=red", "unknown setting 'colour'"),
        ("noequals", "key=value"),
        ("learner=independnt", "Did you mean: independent"),
    ],
)
def test_bad_overrides_name_the_field(assignment: str, message: str) -> None:
    with pytest.raises((ValueError, KeyError), match=message):
        apply_overrides(RunConfig(), [assignment])


def test_learner_switch_keeps_shared_options() -> None:
    demo = load_config("demo")
    config = apply_overrides(demo, ["learner=previous", "options.trials=3"])
    assert config.learner == "previous" and type(config.options).__name__ == "PreviousConfig"
    # The demo's budget carries over to the other learner; only what was set changes.
    assert config.options.trials == 3
    assert config.options.backbone == demo.options.backbone == "small_cnn"
    assert config.options.max_steps == demo.options.max_steps


def test_json_round_trip(tmp_path: Path) -> None:
    config = apply_overrides(load_config("demo"), ["learner=previous", "options.max_steps=7", "seed=5"])
    path = tmp_path / "config.json"
    config.save(path)
    assert RunConfig.load(path) == config
    assert load_config(str(path)) == config
    path.write_text('{"stream": {"name": "demo"}, "options": {"max_stepz": 3}}')
    with pytest.raises(ValueError, match="options has no field max_stepz"):
        RunConfig.load(path)
    path.write_text("{broken")
    with pytest.raises(ValueError, match="not valid JSON"):
        RunConfig.load(path)


def test_builtin_and_file_configs(tmp_path: Path) -> None:
    assert {"demo", "cheap", "reference"} <= set(list_configs())
    reference = load_config("reference")
    assert reference.options.backbone == "resnet34_cifar" and reference.options.image_size == 64
    assert reference.options.trials == 16 and reference.options.max_steps == 50_000
    cheap = load_config("cheap")
    assert cheap.options.backbone == "resnet18" and cheap.options.trials == 4 and cheap.options.max_steps == 25_000
    dynamic = load_config("dynamic")
    assert dynamic.learner == "dynamic" and dynamic.options.trials == 16 and dynamic.options.knn_train_examples == 10_000
    cheap_dynamic = load_config("cheap_dynamic")
    assert cheap_dynamic.learner == "dynamic" and cheap_dynamic.options.label_smoothing == 0.15
    assert (cheap_dynamic.options.backbone, cheap_dynamic.options.search) == ("resnet18", "grid")


def test_executor_and_compute_settings_round_trip(tmp_path: Path) -> None:
    config = apply_overrides(load_config("demo"), ["executor.kind=ray", "executor.ray_address=10.0.0.1:6379",
                                                   "executor.cpus_per_trial=4", "compute.include_pretraining=true"])
    path = tmp_path / "config.json"
    config.save(path)
    again = RunConfig.load(path)
    assert again == config and again.executor.ray_address == "10.0.0.1:6379"
    # Where trials run does not decide what the run is: a workdir resumes under another executor.
    assert again.identity() == load_config("demo").identity() | {"compute": {"include_pretraining": True}}
    with pytest.raises(ValueError, match="executor.kind must be one of"):
        apply_overrides(config, ["executor.kind=kubernetes"])
    with pytest.raises(ValueError, match="unknown setting 'executor.worker'.*did you mean workers"):
        apply_overrides(config, ["executor.worker=2"])
    file = tmp_path / "mine.py"
    file.write_text("from nevisbench.config import RunConfig\nCONFIG = RunConfig(seed=9)\n")
    assert load_config(str(file)).seed == 9
    with pytest.raises(KeyError, match="Did you mean: demo"):
        load_config("dem")


def test_learner_registry_rejects_unknown_options() -> None:
    assert {"independent", "previous"} <= set(list_learners())
    with pytest.raises(ValueError, match="no option max_step \\(did you mean max_steps"):
        create_learner("independent", max_step=3)
    with pytest.raises(ValueError, match="options.search must be"):
        learner_config("independent", search="bayes")
    with pytest.raises(KeyError, match="unknown learner"):
        create_learner("finetune")
