"""Placeholder product pictures drawn locally with Pillow (no downloads): colour of the product group,
the product name, its OCOP stars and the words "Ảnh minh họa" (illustrative picture)."""

import io
import math
import textwrap
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

#: Background colour per product group (Decision 148 group codes).
GROUP_COLOURS = {
    "1.1": (76, 140, 74), "1.2": (196, 150, 46), "1.3": (200, 104, 52), "1.4": (150, 72, 40),
    "1.5": (58, 110, 70), "1.6": (92, 62, 44), "2.1": (120, 50, 90), "2.2": (52, 120, 160),
    "3.1": (70, 120, 110), "3.2": (170, 90, 130), "3.3": (110, 130, 60), "4.1": (160, 60, 50),
    "4.2": (90, 70, 150), "5.1": (190, 80, 120), "5.2": (60, 130, 90), "5.3": (60, 100, 150),
    "6.1": (40, 110, 140),
}
DEFAULT_COLOUR = (110, 110, 110)
STAR_COLOUR = (255, 206, 64)

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)


@cache
def _font_path() -> str | None:
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


@cache
def _font(size: int):
    path = _font_path()
    if path:
        return ImageFont.truetype(path, size)
    # Pillow's bundled font: fewer Vietnamese glyphs, but the picture is still made.
    return ImageFont.load_default(size=size)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float, colour) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.45
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=colour)


def render_product_picture(name: str, stars: int, group_code: str, size: int = 800) -> Image.Image:
    """A square picture for a product: group colour, wrapped name, star row and the illustrative label."""
    colour = GROUP_COLOURS.get(group_code, DEFAULT_COLOUR)
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    scale = size / 800
    # A lighter panel gives the text contrast whatever the group colour.
    margin = int(48 * scale)
    draw.rounded_rectangle((margin, margin, size - margin, size - margin), radius=int(36 * scale),
                           outline=(255, 255, 255), width=max(2, int(6 * scale)))
    title_font = _font(int(52 * scale))
    lines = textwrap.wrap(name, width=18)[:4]
    line_height = int(68 * scale)
    top = int(size * 0.42) - line_height * len(lines) // 2
    for index, line in enumerate(lines):
        draw.text((size / 2, top + index * line_height), line, font=title_font, fill=(255, 255, 255), anchor="mm")
    radius = 34 * scale
    gap = 84 * scale
    first = size / 2 - gap * (stars - 1) / 2
    for index in range(stars):
        _star(draw, first + index * gap, size * 0.70, radius, STAR_COLOUR)
    draw.text((size / 2, size * 0.80), f"OCOP {stars}★" if _font_path() else f"OCOP {stars}",
              font=_font(int(34 * scale)), fill=(255, 255, 255), anchor="mm")
    draw.text((size / 2, size - margin - int(40 * scale)), "Ảnh minh họa", font=_font(int(30 * scale)),
              fill=(255, 255, 255), anchor="mm")
    return image


def to_webp(image: Image.Image, size: int | None = None, quality: int = 80) -> bytes:
    """Encode as WebP, resized to a square of `size` pixels when given."""
    if size and image.size != (size, size):
        image = image.resize((size, size), Image.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=quality, method=2)
    return buffer.getvalue()
