"""QR codes, as the SVG the pages serve."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, *, title: str, scale: int) -> bytes:
    """A QR code of `url` as SVG: dark on light with the standard 4-module quiet zone."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=scale, border=4, xmldecl=False, title=title
    )
    return buffer.getvalue()
