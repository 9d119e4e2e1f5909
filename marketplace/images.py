"""Checking and re-encoding uploaded pictures and certificate scans.

Nothing here trusts a file name or a declared content type: the bytes are opened with Pillow (images)
or read as a PDF, checked against size and pixel limits, and images are re-encoded to WebP, which
drops EXIF and any other metadata. Failures raise UploadRefused with a message for the user.
"""

import io
import math
import re
import warnings
import zlib
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.errors import DomainError

#: Largest accepted upload per file (the app refuses whole requests above MAX_CONTENT_LENGTH first).
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
#: Largest accepted picture, in pixels (40 megapixels); larger ones are refused as possible bombs.
MAX_PIXELS = 40_000_000
#: Longest side of stored pictures and of thumbnails.
MAX_SIDE = 2000
THUMB_SIDE = 400
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
WEBP_QUALITY = 85

# Pillow's own guard: above this it raises DecompressionBombError instead of only warning.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class UploadRefused(DomainError):
    """An uploaded file that is not accepted; the message says why."""


@dataclass(frozen=True)
class ProcessedImage:
    """A re-encoded picture and its thumbnail, both WebP."""

    data: bytes
    thumb: bytes
    width: int
    height: int


def _check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise UploadRefused(_("The file is empty."))
    if len(data) > max_bytes:
        raise UploadRefused(_("The file is larger than %(size)s MB.", size=max_bytes // (1024 * 1024)))


def _open_checked(data: bytes) -> Image.Image:
    """Open the bytes as a JPEG, PNG or WebP within the pixel limit, or raise UploadRefused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise UploadRefused(_("Only JPEG, PNG and WebP pictures are accepted."))
                if probe.width * probe.height > MAX_PIXELS:
                    raise UploadRefused(_("The picture is too large (more than %(mp)s megapixels).",
                                          mp=MAX_PIXELS // 1_000_000))
                probe.verify()
            # verify() leaves the image unusable: open it again to decode it for real.
            image = Image.open(io.BytesIO(data))
            scale = MAX_SIDE / max(image.size)
            if image.format == "JPEG" and scale < 1:
                # Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 while decoding (never below the stored size).
                image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            image.load()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(_("The picture is too large (more than %(mp)s megapixels).",
                              mp=MAX_PIXELS // 1_000_000)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise UploadRefused(_("This file is not a picture we can read (JPEG, PNG or WebP).")) from None
    return image


def _to_webp(image: Image.Image, side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= / icc_profile= arguments: the re-encoded file carries pixels only.
    copy.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def process_image(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> ProcessedImage:
    """Check an uploaded picture and return it re-encoded (EXIF-oriented, metadata stripped) with a thumbnail."""
    _check_size(data, max_bytes)
    image = _open_checked(data)
    try:
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
        large = _to_webp(image, MAX_SIDE)
        thumb = _to_webp(image, THUMB_SIDE)
        width, height = image.size
        scale = min(1.0, MAX_SIDE / max(width, height))
        return ProcessedImage(large, thumb, max(1, round(width * scale)), max(1, round(height * scale)))
    except (OSError, ValueError) as error:
        raise UploadRefused(_("This file is not a picture we can read (JPEG, PNG or WebP).")) from error
    finally:
        image.close()


#: PDF names that run code or carry hidden files when the document is opened.
_ACTIVE_PDF_NAMES = (b"/JS", b"/JavaScript", b"/OpenAction", b"/AA", b"/Launch", b"/EmbeddedFile",
                     b"/RichMedia", b"/XFA")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
#: Inflated stream text checked per stream; compressed streams bigger than this are not inflated fully.
_MAX_INFLATE = 4 * 1024 * 1024


def _pdf_texts(data: bytes):
    """The raw PDF and the content of its Flate-compressed streams (object streams hide dictionaries)."""
    yield data
    for match in _PDF_STREAM.finditer(data):
        try:
            yield zlib.decompressobj().decompress(match.group(1), _MAX_INFLATE)
        except zlib.error:
            continue


def pdf_active_content(data: bytes) -> list[str]:
    """Names of active-content keys found in a PDF (empty when it has none)."""
    found: list[str] = []
    for text in _pdf_texts(data):
        # "/J#61vaScript" is the same name as "/JavaScript": undo the #xx escapes before looking.
        text = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), text)
        for name in _ACTIVE_PDF_NAMES:
            if re.search(re.escape(name) + rb"s?(?![A-Za-z])", text):
                label = name.decode()[1:]
                if label not in found:
                    found.append(label)
    return found


@dataclass(frozen=True)
class ProcessedScan:
    data: bytes
    extension: str
    content_type: str


def process_scan(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> ProcessedScan:
    """Check a certificate scan: a PDF without active content, or a picture (re-encoded to WebP)."""
    _check_size(data, max_bytes)
    if data.lstrip()[:5] == b"%PDF-":
        active = pdf_active_content(data)
        if active:
            raise UploadRefused(_(
                "This PDF contains active content (%(names)s) and was refused. Scan or print it to a plain PDF "
                "or a picture and upload that.", names=", ".join(active)))
        if b"%%EOF" not in data[-2048:]:
            raise UploadRefused(_("This PDF is damaged or incomplete."))
        return ProcessedScan(data, "pdf", "application/pdf")
    image = process_image(data, max_bytes=max_bytes)
    return ProcessedScan(image.data, "webp", "image/webp")
