"""Responsive renditions of uploaded images and the HTML that shows them."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from PIL import Image as PILImage

from .models import Image

RENDITION_WIDTHS = (480, 800, 1200)


def image_generate_renditions(*, image: Image) -> dict[str, str]:
    """Write JPEG copies of ``image`` at the standard widths (never upscaled) and record them."""
    image.file.open("rb")
    try:
        with PILImage.open(image.file) as original:
            original.load()
            source = original.convert("RGB")
    finally:
        image.file.close()
    stem = PurePosixPath(image.file.name).stem
    renditions: dict[str, str] = {}
    for width in RENDITION_WIDTHS:
        if width > source.width and renditions:
            break
        target_width = min(width, source.width)
        height = round(source.height * target_width / source.width)
        copy = source.resize((target_width, height), PILImage.Resampling.LANCZOS)
        buffer = io.BytesIO()
        copy.save(buffer, format="JPEG", quality=82, optimize=True, progressive=True)
        name = f"renditions/{image.pk}/{stem}-{target_width}.jpg"
        if default_storage.exists(name):
            default_storage.delete(name)
        renditions[str(target_width)] = default_storage.save(name, ContentFile(buffer.getvalue()))
    image.renditions = renditions
    image.save(update_fields=["renditions"])
    return renditions


def srcset(image: Image) -> str:
    return ", ".join(
        f"{default_storage.url(path)} {width}w"
        for width, path in sorted(image.renditions.items(), key=lambda kv: int(kv[0]))
    )


def default_src(image: Image) -> str:
    if image.renditions:
        widths = sorted(image.renditions, key=int)
        preferred = next((w for w in widths if int(w) >= 800), widths[-1])
        return default_storage.url(image.renditions[preferred])
    return image.file.url


def image_html(
    image: Image, *, sizes: str = "(min-width: 60rem) 44rem, 100vw", lazy: bool = True, css_class: str = ""
) -> str:
    """A ``<figure>`` with a responsive ``<img>``, caption and credit."""
    width, height = image.width or 1200, image.height or 675
    caption = (
        format_html(
            "<figcaption>{}{}</figcaption>",
            format_html('<span class="caption">{}</span>', image.caption) if image.caption else "",
            format_html(' <span class="credit">{}</span>', image.credit) if image.credit else "",
        )
        if (image.caption or image.credit)
        else ""
    )
    return format_html(
        '<figure class="{}"><img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" height="{}"{}>{}</figure>',
        css_class or "inline-image",
        default_src(image),
        srcset(image),
        sizes,
        image.alt,
        width,
        height,
        mark_safe(' loading="lazy" decoding="async"' if lazy else ' fetchpriority="high"'),
        caption,
    )
