"""A stream instance: the rows before a stop year, turned into train and predict events."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from nevisbench.streams.table import StreamRow, StreamSpec, get_stream
from nevisbench.values import Event, PredictEvent, Split, TaskKey, TrainEvent


@dataclasses.dataclass(frozen=True)
class Stream:
    """What a run iterates over.

    Attributes:
        name: the stream id.
        rows: the rows in order (already cut at the stop year).
        stop_year: exclusive stop year used (None: all rows).
        predict_splits: the splits predicted after each train event (the reference: dev_test).
        final_evaluation: after the last row, predict every seen task again (the paper's protocol,
            which the reference never implemented).
    """

    name: str
    rows: tuple[StreamRow, ...]
    stop_year: int | None
    predict_splits: tuple[Split, ...] = (Split.DEV_TEST,)
    final_evaluation: bool = True

    @property
    def datasets(self) -> list[str]:
        """The unique dataset ids of the stream, in first-seen order."""
        return list(dict.fromkeys(row.dataset for row in self.rows))

    def events(self, task_of: Callable[[str], TaskKey] | None = None) -> list[Event]:
        """The deterministic event sequence: per row a train event then its predict events; then, if
        ``final_evaluation``, one predict event per seen task (for the task's latest train event).

        Args:
            task_of: maps a dataset id to its task key (default: the registered dataset's spec).
        """
        if task_of is None:
            from nevisbench.data.spec import get_dataset

            def task_of(name: str) -> TaskKey:
                return get_dataset(name).task_key

        events: list[Event] = []
        latest: dict[TaskKey, TrainEvent] = {}
        for index, row in enumerate(self.rows):
            train = TrainEvent(index, row.year, row.dataset, task_of(row.dataset))
            events.append(train)
            events.extend(
                PredictEvent(index, row.year, row.dataset, train.task, split) for split in self.predict_splits
            )
            latest.pop(train.task, None)  # keep dict order = order of the latest train event
            latest[train.task] = train
        if self.final_evaluation:
            for train in latest.values():
                events.extend(
                    PredictEvent(train.index, train.year, train.dataset, train.task, split, final=True)
                    for split in self.predict_splits
                )
        return events


def build_stream(
    name: str | StreamSpec,
    *,
    stop_year: int | None = None,
    predict_splits: Sequence[Split | str] = (Split.DEV_TEST,),
    final_evaluation: bool = True,
) -> Stream:
    """Instantiates a registered stream.

    Args:
        name: the stream id or spec.
        stop_year: exclusive stop year; None: the stream's own (2020 for the reference variants, so the
            held-out years run only when asked), as in ``StreamConfig``; ``ALL_YEARS``: every row.
        predict_splits: the splits predicted after each train event.
        final_evaluation: whether to re-evaluate every seen task at the end.
    """
    spec = get_stream(name) if isinstance(name, str) else name
    year = spec.stop_year if stop_year is None else stop_year
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise ValueError(f"stop_year must be a year (int) or None, got {year!r}")
    rows = spec.rows_before(year)
    if not rows:
        raise ValueError(f"stream {spec.name!r} has no rows before {year}; its first year is "
                         f"{spec.rows[0].year if spec.rows else 'none'}")
    splits = tuple(Split.parse(s) for s in predict_splits)
    if not splits:
        raise ValueError("predict_splits must name at least one split")
    return Stream(spec.name, rows, year, splits, final_evaluation)
