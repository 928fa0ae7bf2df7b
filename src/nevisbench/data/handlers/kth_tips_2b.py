"""KTH-TIPS2-b: colour 200×200 images of 11 materials, four physical samples each."""

from __future__ import annotations

from nevisbench.data.handlers._kth_tips import COMMON_NOTES, KTH_TIPS2_CLASSES, register

SPEC = register(
    dataset="kth_tips_2b",
    title="KTH-TIPS2-b (colour, 200×200)",
    archive="kth-tips2-b_col_200x200.tar",
    md5="00470a104a57f5a5be22cc8a0f234c4e",
    top="KTH-TIPS2-b",
    class_names=KTH_TIPS2_CLASSES,
    samples=("sample_a", "sample_b", "sample_c", "sample_d"),
    paper_title="Class-Specific Material Categorisation (Caputo, Hayman & Mallikarjuna, ICCV 2005)",
    paper_url="https://www.csc.kth.se/cvap/databases/kth-tips/index.html",
    notes=COMMON_NOTES + " The label is the material (the folder above sample_*), not the physical "
    "sample; images of one sample can fall in different splits, as in the reference.",
)
