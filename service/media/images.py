"""Decoding, validating and re-encoding uploaded images (Pillow). Pure and blocking: the
caller runs `process` in a worker thread, a bounded number at a time (media/service.py).

What is accepted is decided by decoding, never by the filename or the Content-Type: JPEG,
PNG, WebP and GIF (its first frame). The dimensions are read from the header and checked
before any pixel is decoded, so a decompression bomb costs a few KB of reading. Everything
accepted is re-encoded: orientation applied, EXIF (GPS), ICC, comments and any other
metadata dropped, into a few widths (never upscaled). Opaque images become progressive
JPEG, images with transparency PNG: both display on every TV browser. The widths pages draw
(up to MODERN_MAX_WIDTH) also get AVIF and WebP alternates, kept only where smaller:
browsers that take them pick them from a `<picture>` (media/pictures.py); a third to a
half fewer image bytes per embed view, the biggest line of a large bill (docs/cost.md).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features

# Widths of the variants: thumbnails, embeds and beverage images, then TVs up to 4K.
WIDTHS = (160, 480, 960, 1920, 3840)
MAX_WIDTH = WIDTHS[-1]
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Pillow names multi-picture JPEGs (many phone cameras) MPO: still a JPEG.
FORMAT_NAMES = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
JPEG_QUALITY = 82
# Embeds and the phone page draw 4rem thumbnails (160 px, 480 at 2-3x); TVs beverage art at
# 480-960. Wider variants (TV backgrounds) stay JPEG/PNG only: TV browsers are old.
MODERN_MAX_WIDTH = 960
# (Pillow format, content type, extension, options), best first. AVIF only when this
# Pillow was built with it.
MODERN_FORMATS = [
    *(
        [("AVIF", "image/avif", "avif", {"quality": 60, "speed": 8})]
        if features.check("avif")
        else []
    ),
    ("WEBP", "image/webp", "webp", {"quality": 80, "method": 4}),
]
ACCEPTED = "Upload a JPEG, PNG, WebP or GIF image."
# Markup and script anywhere in the file: a polyglot (an image that is also a web page or
# a PHP script) is refused outright, even though re-encoding would drop it anyway.
MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|svg|object|embed|\?php|\?xml|!doctype)|javascript:",
    re.IGNORECASE,
)
SVG_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<svg", re.IGNORECASE | re.DOTALL
)


class Rejected(Exception):
    """The upload is not an image we accept; `status` (4xx) and a message a person can act on."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Encoded:
    content_type: str
    extension: str
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Variant(Encoded):
    width: int
    height: int
    alternates: tuple[Encoded, ...] = ()  # the same pixels in modern formats, smaller

    @property
    def stored_bytes(self) -> int:
        return len(self.data) + sum(len(a.data) for a in self.alternates)


@dataclass(frozen=True)
class Processed:
    format: str  # jpeg, png, webp or gif: what the upload decoded as
    width: int  # upright, after orientation
    height: int
    variants: list[Variant]  # narrowest first

    @property
    def stored_bytes(self) -> int:
        return sum(v.stored_bytes for v in self.variants)


def configure_pillow(max_pixels: int) -> None:
    """Pillow's own bomb check at our limit, its warning an error (checked again below)."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def widths_for(width: int) -> list[int]:
    """The variant widths for an image `width` wide: never wider than the image itself."""
    top = min(width, MAX_WIDTH)
    return [w for w in WIDTHS if w < top] + [top]


def _check_content(data: bytes) -> None:
    if not data:
        raise Rejected(422, "The file is empty. " + ACCEPTED)
    if SVG_START.match(data[:4096]):
        raise Rejected(
            415, "SVG images are not accepted (they can carry scripts). Upload a PNG instead."
        )
    if MARKUP.search(data):
        raise Rejected(
            415,
            "This file contains web page code (HTML or script), so it is not a plain image. "
            + ACCEPTED,
        )


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open from the header only; refuse what is not an accepted type or has too many pixels."""
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Rejected(422, _too_many_pixels(max_pixels)) from None
    except UnidentifiedImageError:
        raise Rejected(415, "This file is not an image we can read. " + ACCEPTED) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise Rejected(
            422, "This image is damaged or incomplete: save it again and retry."
        ) from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        image.close()
        raise Rejected(422, _too_many_pixels(max_pixels, width, height))
    return image


def _too_many_pixels(max_pixels: int, width: int = 0, height: int = 0) -> str:
    size = f" ({width} x {height})" if width else ""
    return (
        f"This image has too many pixels{size}: the limit is {max_pixels / 1e6:g} megapixels. "
        "Scale it down and upload it again."
    )


def _decode(image: Image.Image, upright_width: int) -> Image.Image:
    """The first frame, upright, fully decoded (a truncated or corrupt file fails here)."""
    image.seek(0)
    if image.format in ("JPEG", "MPO") and upright_width > MAX_WIDTH:
        # Decode a big JPEG at a reduced scale (DCT scaling): the widest variant is 4K.
        scale = MAX_WIDTH / upright_width
        width, height = image.size
        image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
    try:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)  # no second copy of the pixels
        return image
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise Rejected(
            422, "This image is damaged or incomplete: save it again and retry."
        ) from None


def _turned(image: Image.Image) -> bool:
    """The EXIF orientation turns the image on its side (its width is its height)."""
    try:
        return image.getexif().get(0x0112) in (5, 6, 7, 8)
    except (OSError, SyntaxError, ValueError):
        return False


def _to_srgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when some pixel is actually transparent."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v / 256).convert("L")
    if has_alpha:
        rgba = image.convert("RGBA")
        low, _ = rgba.getchannel("A").getextrema()
        if isinstance(low, int | float) and low < 255:
            return _to_srgb(rgba)
        return _to_srgb(rgba.convert("RGB"))
    if image.mode == "RGB":
        return _to_srgb(image)
    if image.mode == "CMYK":
        return (
            _to_srgb(image).convert("RGB")
            if image.info.get("icc_profile")
            else image.convert("RGB")
        )
    return _to_srgb(image.convert("RGB"))


def _encode(image: Image.Image) -> Encoded:
    image.info = {}  # nothing of the original's metadata (comments, EXIF, ICC) is written
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, "PNG", optimize=True)
        return Encoded("image/png", "png", out.getvalue())
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Encoded("image/jpeg", "jpg", out.getvalue())


def _alternates(image: Image.Image, fallback: Encoded) -> tuple[Encoded, ...]:
    """The image in each modern format that comes out smaller than the fallback and than
    every format after it: a browser takes the first `<source>` it can show, so each one
    listed must be the smallest it can have."""
    found: list[Encoded] = []
    smallest = len(fallback.data)
    for pillow_format, content_type, extension, options in reversed(MODERN_FORMATS):
        out = io.BytesIO()
        image.save(out, pillow_format, **options)
        if out.tell() < smallest:
            smallest = out.tell()
            found.insert(0, Encoded(content_type, extension, out.getvalue()))
    return tuple(found)


def alternates_for(data: bytes, content_type: str) -> tuple[Encoded, ...]:
    """Alternates for a variant stored before they existed (our own JPEG/PNG, re-read)."""
    with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as stored:
        stored.load()
        image = stored.convert("RGBA" if stored.mode in ("RGBA", "LA", "P") else "RGB")
    extension = "png" if content_type == "image/png" else "jpg"
    return _alternates(image, Encoded(content_type, extension, data))


def process(data: bytes, *, max_pixels: int) -> Processed:
    """Validate and re-encode an upload; raises Rejected (with a 4xx) when it is refused."""
    _check_content(data)
    with _open(data, max_pixels) as opened:
        kind = FORMAT_NAMES.get(opened.format or "")
        if kind is None:
            raise Rejected(415, "This file is not an image we can read. " + ACCEPTED)
        width, height = opened.size
        if _turned(opened):
            width, height = height, width
        source = _flatten(_decode(opened, width))
    # Each variant is made from the next wider one, which is then let go: at most two
    # decoded copies are alive at once.
    full_width, full_height = source.size
    variants: list[Variant] = []
    for target in reversed(widths_for(full_width)):
        size = (target, max(1, round(full_height * target / full_width)))
        if source.size != size:
            source = source.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
        encoded = _encode(source)
        alternates = _alternates(source, encoded) if target <= MODERN_MAX_WIDTH else ()
        variants.append(
            Variant(encoded.content_type, encoded.extension, encoded.data, *size, alternates)
        )
    return Processed(kind, width, height, variants[::-1])
