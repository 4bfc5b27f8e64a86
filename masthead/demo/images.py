"""Generated lead images for the demo: abstract, deterministic, no downloads."""

from __future__ import annotations

import colorsys
import io
import random

from PIL import Image, ImageDraw, ImageFilter

SIZE = (1600, 900)


def _rgb(hue: float, saturation: float, lightness: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def generated_lead_image(seed: str, hue_degrees: int) -> bytes:
    """A JPEG of soft shapes over a gradient in the article's hue; the same seed gives the same bytes."""
    rng = random.Random(seed)  # noqa: S311 -- picture layout, not security
    hue = hue_degrees / 360
    width, height = SIZE
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    top, bottom = _rgb(hue, 0.45, 0.28), _rgb(hue + 0.08, 0.55, 0.62)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    shapes = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    shape_draw = ImageDraw.Draw(shapes)
    for _ in range(14):
        x, y = rng.randrange(-200, width), rng.randrange(-200, height)
        radius = rng.randrange(80, 420)
        colour = _rgb(hue + rng.uniform(-0.12, 0.12), rng.uniform(0.3, 0.8), rng.uniform(0.35, 0.85))
        box = [x, y, x + radius, y + radius]
        if rng.random() < 0.5:
            shape_draw.ellipse(box, fill=(*colour, rng.randrange(50, 140)))
        else:
            shape_draw.rectangle(box, fill=(*colour, rng.randrange(40, 120)))
    shapes = shapes.filter(ImageFilter.GaussianBlur(6))
    image = Image.alpha_composite(image.convert("RGBA"), shapes).convert("RGB")
    # A horizon line, so pictures read as scenes rather than noise.
    draw = ImageDraw.Draw(image)
    horizon = rng.randrange(height // 2, height - 120)
    draw.rectangle([0, horizon, width, height], fill=_rgb(hue + 0.5, 0.2, 0.18))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
