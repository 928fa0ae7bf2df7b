"""The data home: where downloads, converted stores and their locks live, named in one place.

Layout of ``$NEVISBENCH_HOME`` (default ``~/.cache/nevisbench``)::

    downloads/<id>/         raw files as fetched (and ``extracted/`` archives)
    datasets/<id>/          the converted store of dataset <id>
    datasets/.<id>.lock     held while <id> is being prepared
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

DEFAULT_HOME = "~/.cache/nevisbench"


@dataclasses.dataclass(frozen=True)
class DataHome:
    """A data home directory and the paths under it.

    Attributes:
        root: the home directory itself.
    """

    root: Path

    @classmethod
    def from_env(cls) -> DataHome:
        """The home named by ``$NEVISBENCH_HOME``, default ``~/.cache/nevisbench``."""
        return cls(Path(os.environ.get("NEVISBENCH_HOME", DEFAULT_HOME)).expanduser())

    @classmethod
    def of(cls, home: DataHome | Path | str | None) -> DataHome:
        """``home`` as a DataHome: a path is taken as the root, None means ``from_env()``."""
        if isinstance(home, DataHome):
            return home
        # Read the environment at each call: tests and tools set NEVISBENCH_HOME after import.
        return cls.from_env() if home is None else cls(Path(home))

    @property
    def datasets(self) -> Path:
        """The folder of converted stores."""
        return self.root / "datasets"

    @property
    def downloads(self) -> Path:
        """The folder of raw files, one subfolder per dataset."""
        return self.root / "downloads"

    def dataset_dir(self, name: str) -> Path:
        """The converted store of dataset ``name``."""
        return self.datasets / name

    def raw_dir(self, name: str) -> Path:
        """The raw files of dataset ``name`` (what ``convert`` reads)."""
        return self.downloads / name

    def lock_file(self, name: str) -> Path:
        """The lock held while dataset ``name`` is being prepared."""
        return self.datasets / f".{name}.lock"


def data_home() -> Path:
    """The data home's root: ``$NEVISBENCH_HOME``, default ``~/.cache/nevisbench``."""
    return DataHome.from_env().root


def dataset_dir(name: str, home: DataHome | Path | None = None) -> Path:
    """The converted store of dataset ``name`` in ``home`` (default: the data home)."""
    return DataHome.of(home).dataset_dir(name)
