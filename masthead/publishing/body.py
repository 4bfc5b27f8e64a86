"""Turn an editor's HTML into sanitised, ordered blocks the paywall can cut by slicing.

Each block is a dict ``{"kind", "html", "text"}``: ``html`` is safe to print as it is, ``text``
is its plain text (for descriptions, structured data and the leak audit).

An image of the library, ``<figure data-image="ID">`` in the editor's HTML, is stored by reference:
``{"kind": "image", "image_id": ID, "html": "", "text": ""}``. The page that shows the article renders
it from the image as it is then (``selectors.images_by_id``, ``images.image_html``), so a new caption or
credit reaches every article that embeds the image.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import nh3

from masthead.core.parse import LARGEST_ID, positive_int

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "cite",
    "ul",
    "ol",
    "li",
    "a",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "br",
    "hr",
    "figure",
    "figcaption",
    "img",
    "abbr",
    "q",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "figure": {"data-image"},
    "abbr": {"title"},
    "blockquote": {"cite"},
}
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style", "template", "iframe", "object", "noscript"},
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes={"hr": {"paywall"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
)

VOID_TAGS = {"br", "hr", "img"}
BLOCK_KINDS = {
    "p": "paragraph",
    "h2": "subhead",
    "h3": "subhead",
    "h4": "subhead",
    "blockquote": "quote",
    "ul": "list",
    "ol": "list",
    "figure": "image",
    "img": "image",
    "hr": "rule",
}
PAYWALL_BREAK = "paywall_break"
_SPACE = re.compile(r"\s+")


def image_reference(value: str) -> int | None:
    """The image id in a ``data-image`` attribute, or None when it is not one (``core.parse``: ASCII digits)."""
    return positive_int(value, maximum=LARGEST_ID)


def sanitize(source: str) -> str:
    """Strip everything but the body's allowed tags and attributes (no scripts, no event handlers)."""
    return _cleaner.clean(source or "")


@dataclass
class _Block:
    tag: str | None
    parts: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)


class _Splitter(HTMLParser):
    """Rebuild sanitised HTML as a list of top-level blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.depth = 0
        self.current: _Block | None = None

    def _open_loose(self) -> _Block:
        # Inline content at the top level becomes a paragraph of its own.
        if self.current is None:
            self.current = _Block(tag=None)
        return self.current

    def _close_current(self) -> None:
        if self.current is not None:
            self.blocks.append(self.current)
            self.current = None

    @staticmethod
    def _render_start(tag: str, attrs: list[tuple[str, str | None]]) -> str:
        rendered = "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs)
        return f"<{tag}{rendered}>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0 and tag in BLOCK_KINDS:
            self._close_current()
            self.current = _Block(tag=tag, attrs={k: v or "" for k, v in attrs})
            self.current.parts.append(self._render_start(tag, attrs))
            if tag in VOID_TAGS:
                self._close_current()
            else:
                self.depth = 1
            return
        block = self._open_loose() if self.depth == 0 else self.current
        block.parts.append(self._render_start(tag, attrs))
        if tag in {"p", "li", "cite", "br", "figcaption"}:
            block.text.append(" ")
        if tag not in VOID_TAGS and self.depth:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or self.current is None:
            return
        self.current.parts.append(f"</{tag}>")
        if self.depth:
            self.depth -= 1
            if self.depth == 0:
                self._close_current()

    def handle_data(self, data: str) -> None:
        if self.depth == 0 and not data.strip():
            return
        block = self._open_loose() if self.depth == 0 else self.current
        block.parts.append(html.escape(data, quote=False))
        block.text.append(data)

    def close(self) -> None:
        super().close()
        self._close_current()


def image_block(image_id: int) -> dict:
    """The stored block of an image of the library: a reference, rendered with the page."""
    return {"kind": "image", "image_id": image_id, "html": "", "text": ""}


def inline_image_ids(blocks: Iterable[dict]) -> list[int]:
    """The ids of the library images that ``blocks`` show, in order, each once."""
    return list(dict.fromkeys(block["image_id"] for block in blocks if "image_id" in block))


def split_blocks(source: str, known_images: Callable[[set[int]], Collection[int]] | None = None) -> list[dict]:
    """Sanitise ``source`` and return its top-level blocks in order.

    ``known_images`` is asked once, with the ids that the body's ``<figure data-image="ID">`` name, which
    of them exist; each of those becomes ``image_block(ID)`` and the other figures are dropped (all of
    them when nobody is asked).
    """
    splitter = _Splitter()
    splitter.feed(sanitize(source))
    splitter.close()
    named = {
        image_id
        for raw in splitter.blocks
        if raw.tag == "figure" and (image_id := image_reference(raw.attrs.get("data-image", ""))) is not None
    }
    existing = set(known_images(named)) if named and known_images is not None else set()
    blocks: list[dict] = []
    for raw in splitter.blocks:
        text = _SPACE.sub(" ", "".join(raw.text)).strip()
        if raw.tag is None:
            blocks.append({"kind": "paragraph", "html": f"<p>{''.join(raw.parts).strip()}</p>", "text": text})
            continue
        if raw.tag == "hr":
            if "paywall" in raw.attrs.get("class", "").split():
                blocks.append({"kind": PAYWALL_BREAK, "html": "", "text": ""})
            continue
        if raw.tag == "figure" and "data-image" in raw.attrs:
            # It names an image of the library: shown when the id is one and the image exists, else dropped.
            image_id = image_reference(raw.attrs["data-image"])
            if image_id in existing:
                blocks.append(image_block(image_id))
            continue
        if not text and raw.tag not in {"figure", "img"}:
            continue  # empty paragraphs and headings carry nothing
        if raw.tag == "img":
            blocks.append({"kind": "image", "html": f"<figure>{''.join(raw.parts)}</figure>", "text": text})
            continue
        blocks.append({"kind": BLOCK_KINDS[raw.tag], "html": "".join(raw.parts), "text": text})
    return blocks
