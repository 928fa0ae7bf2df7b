"""KTH-TIPS2-b: colour 200×200 images of 11 materials, four physical samples each."""

from __future__ import annotations

from nevisbench.data.handlers._kth_tips import register_kth_tips2

SPEC = register_kth_tips2("b", md5="00470a104a57f5a5be22cc8a0f234c4e")
