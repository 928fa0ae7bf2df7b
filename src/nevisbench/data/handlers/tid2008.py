"""TID2008: 1,700 distorted colour images classed by MSSIM quality bucket (5 classes)."""

from __future__ import annotations

from nevisbench.data.handlers._tid import build_spec

SPEC = build_spec(
    2008,
    md5="732aeec405a57b589aeee4f1c58a4c1b",
    homepage="https://ponomarenko.info/tid2008.htm",
    paper_title="TID2008 – A Database for Evaluation of Full-Reference Visual Quality Assessment "
    "Metrics (Ponomarenko, Lukin, Zelensky, Egiazarian, Carli & Battisti, 2009)",
    paper_url="https://ponomarenko.info/papers/mre2009tid.pdf",
)
