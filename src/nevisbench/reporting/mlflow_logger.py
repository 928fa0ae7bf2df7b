"""MLflow logging of a run (extra ``mlflow``): one of the loggers of ``reporting.loggers``."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nevisbench.reporting.loggers import Scalar

# MLflow's own variables: where runs go (default: a store in the workdir) and the experiment's name.
URI_VARIABLE = "MLFLOW_TRACKING_URI"
EXPERIMENT_VARIABLE = "MLFLOW_EXPERIMENT_NAME"
HINT = "pip install 'nevisbench[mlflow]'"
PARAMS_PER_CALL = 100  # MLflow's limit on the params of one log_batch


def default_uri(workdir: Path) -> str:
    """The local store of a run's MLflow runs: an SQLite file in ``WORKDIR/mlruns``.

    Not MLflow's file store (``file:``): MLflow 3 refuses it unless MLFLOW_ALLOW_FILE_STORE=true.
    """
    return f"sqlite:///{(Path(workdir) / 'mlruns' / 'mlflow.db').resolve().as_posix()}"


def require() -> None:
    """Raises a one-line error with the install command when MLflow (or, for the default SQLite
    store, SQLAlchemy and Alembic) is missing."""
    uri = os.environ.get(URI_VARIABLE)
    try:
        from mlflow.tracking import MlflowClient  # noqa: F401

        if not uri or uri.startswith("sqlite:"):
            import alembic  # noqa: F401
            import sqlalchemy  # noqa: F401
    except ImportError as error:
        package = (error.name or "mlflow").split(".")[0]
        raise RuntimeError(f"the mlflow logger needs the {package} package: {HINT}") from None


def open_logger(workdir: Path, params: Mapping[str, Any], previous: Mapping[str, Any] | None) -> MlflowLogger:
    """Starts the run's MLflow run, or continues ``previous``'s when it is in the same store.

    Raises:
        RuntimeError: the tracking store cannot be reached or used.
    """
    from mlflow.entities import Param
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    workdir = Path(workdir)
    uri = os.environ.get(URI_VARIABLE) or default_uri(workdir)
    local = not os.environ.get(URI_VARIABLE)
    name = os.environ.get(EXPERIMENT_VARIABLE) or workdir.resolve().name or "nevisbench"
    try:
        if local:
            (workdir / "mlruns").mkdir(parents=True, exist_ok=True)
        client = MlflowClient(tracking_uri=uri)
        run_id = previous.get("run_id") if previous and previous.get("tracking_uri") == uri else None
        if run_id is not None:
            try:
                client.get_run(run_id)
                client.update_run(run_id, status="RUNNING")
            except MlflowException:
                run_id = None  # deleted, or another store at the same address: a new run
        if run_id is None:
            experiment = client.get_experiment_by_name(name)
            artifacts = (workdir / "mlruns" / "artifacts").resolve().as_uri() if local else None
            experiment_id = (experiment.experiment_id if experiment is not None
                             else client.create_experiment(name, artifact_location=artifacts))
            run_id = client.create_run(experiment_id, run_name=workdir.name).info.run_id
            items = [Param(key, str(value)) for key, value in params.items()]
            for start in range(0, len(items), PARAMS_PER_CALL):
                client.log_batch(run_id, params=items[start:start + PARAMS_PER_CALL])
    except MlflowException as error:
        raise RuntimeError(f"MLflow could not start a run in {uri} ({error.message}); check "
                           f"{URI_VARIABLE}, or unset it for a local store in {workdir / 'mlruns'}") from error
    return MlflowLogger(client, run_id, uri)


class MlflowLogger:
    """Logs each event's scalars as MLflow metrics at their step (the task index, or the event
    number for ``flops/*``)."""

    def __init__(self, client: Any, run_id: str, uri: str) -> None:
        self.client, self.run_id = client, run_id
        self.keep: dict[str, Any] = {"run_id": run_id, "tracking_uri": uri}

    def write(self, rows: Sequence[Scalar]) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        if rows:
            self.client.log_batch(self.run_id, metrics=[Metric(row.name, float(row.value), now, row.step)
                                                        for row in rows])

    def close(self, ok: bool = True) -> None:
        self.client.set_terminated(self.run_id, status="FINISHED" if ok else "KILLED")
