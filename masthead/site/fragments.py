"""The small parts of a page that differ between readers: account links, meter banner, paywall panel.

Each fragment is a frozen dataclass that is at once its cache key and its whole template context:
the template is rendered with the dataclass's fields and nothing else (no request, no user, no
context processors), so it cannot print anything its key does not hold, and two readers whose
fragments are equal see the same bytes by construction.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from django.template.loader import render_to_string
from django.utils import translation

from masthead.core import memo
from masthead.paywall.types import Message, Window
from masthead.subscriptions.entitlements import Lapse

from .offers import OfferCard, PlanCard


@dataclass(frozen=True, slots=True)
class Fragment:
    template: ClassVar[str]
    language: str

    def context(self) -> dict:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


@dataclass(frozen=True, slots=True)
class AccountLinks(Fragment):
    template: ClassVar[str] = "includes/account_links.html"
    username: str  # "" for a reader who is not signed in


@dataclass(frozen=True, slots=True)
class MeterBanner(Fragment):
    template: ClassVar[str] = "paywall/meter_banner.html"
    path: str  # the page's path, for "Sign up free for more" to come back to
    message: Message
    remaining: int
    window: Window
    signed_in: bool
    verify_email: bool = False  # signed in, address not confirmed: confirming it raises the allowance


@dataclass(frozen=True, slots=True)
class PaywallPanel(Fragment):
    template: ClassVar[str] = "paywall/panel.html"
    path: str
    message: Message
    limit: int
    window: Window
    lapse: Lapse
    username: str  # "" for a reader who is not signed in
    publication_name: str
    offers: tuple[OfferCard, ...]
    plans: tuple[PlanCard, ...]
    verify_email: bool = False
    article_pk: int = 0  # the walled article: its offer links carry it, to record the conversion's source


def render(fragment: Fragment) -> str:
    """The fragment's HTML, rendered once per distinct fragment and kept in the per-reader memory."""
    return memo.per_reader.remembered(fragment, lambda: render_uncached(fragment))


def render_uncached(fragment: Fragment) -> str:
    with translation.override(fragment.language):
        return render_to_string(fragment.template, fragment.context())
