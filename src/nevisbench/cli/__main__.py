"""`python -m nevisbench.cli`: the `nevisbench` command without its installed script."""

from __future__ import annotations

import sys

from nevisbench.cli import main

sys.exit(main())
