"""TID2013: 3,000 distorted colour images classed by MSSIM quality bucket (5 classes)."""

from __future__ import annotations

from nevisbench.data.handlers._tid import build_spec

SPEC = build_spec(
    2013,
    md5="2c42bec2407adc49cf4d7858daf8f99b",
    homepage="https://ponomarenko.info/tid2013.htm",
    paper_title="Image database TID2013: Peculiarities, results and perspectives "
    "(Ponomarenko et al., Signal Processing: Image Communication, 2015)",
    paper_url="https://doi.org/10.1016/j.image.2014.10.009",
)
