"""The one place that decides which body blocks leave the server."""

from __future__ import annotations

from dataclasses import dataclass

from .types import Decision


@dataclass(frozen=True, slots=True)
class GatedBody:
    """The blocks a reader receives: ``lead`` always, ``rest`` only with full access."""

    lead: tuple[dict, ...]
    rest: tuple[dict, ...]
    truncated: bool

    @property
    def blocks(self) -> tuple[dict, ...]:
        return self.lead + self.rest

    @property
    def text(self) -> str:
        """The plain text a reader may read (for structured data)."""
        return "\n\n".join(block["text"] for block in self.blocks if block["text"])


def gate(blocks: list[dict], decision: Decision, teaser_length: int) -> GatedBody:
    """Cut ``blocks`` for ``decision``; with full access the part past the teaser is marked as paywalled."""
    if decision.full:
        return GatedBody(tuple(blocks[:teaser_length]), tuple(blocks[teaser_length:]), truncated=False)
    visible = decision.visible_blocks or 0
    return GatedBody(tuple(blocks[:visible]), (), truncated=True)
