"""KTH-TIPS: 810 colour 200×200 images of 10 materials under varying scale, pose and illumination."""

from __future__ import annotations

from nevisbench.data.handlers._kth_tips import COMMON_NOTES, KTH_TIPS_CLASSES, register

SPEC = register(
    dataset="kth_tips",
    title="KTH-TIPS (colour, 200×200)",
    archive="kth_tips_col_200x200.tar",
    md5="4f92fe540feb4f3c66938291e4516f6c",
    top="KTH_TIPS",
    class_names=KTH_TIPS_CLASSES,
    samples=(),
    paper_title="On the Significance of Real-World Conditions for Material Classification "
    "(Hayman, Caputo, Fritz & Eklundh, ECCV 2004)",
    paper_url="https://www.csc.kth.se/cvap/databases/kth-tips/index.html",
    notes=COMMON_NOTES,
)
