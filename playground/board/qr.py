"""The student link as a QR code, drawn here (segno, pure Python) and served by this server:
nothing is fetched from an outside QR service, which would also learn every class's link."""

from __future__ import annotations

import io

import segno


def qr_png(text: str, scale: int = 6) -> bytes:
    """A PNG of `text` as a QR code (error correction M, so a projector's glare still reads)."""
    code = segno.make(text, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
