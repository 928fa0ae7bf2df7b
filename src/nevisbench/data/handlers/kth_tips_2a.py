"""KTH-TIPS2-a: colour 200×200 images of 11 materials, four physical samples each."""

from __future__ import annotations

from nevisbench.data.handlers._kth_tips import register_kth_tips2

SPEC = register_kth_tips2("a", md5="911eb17220748fa36e6524aea71db7d7")
