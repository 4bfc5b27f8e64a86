"""Pages composed around a cached shell.

The shell is the page rendered once per article version (and language and site address) with named
slots where the reader-specific parts go: the meter banner, the gated body, the paywall panel, the
structured data, the account links and the CSP nonce. A request fills the slots; it never renders
the page from scratch. Slot markers carry a per-process random token, so article text (always
escaped) can never forge one.

A shell is rendered from its key alone (a frozen dataclass): it never sees the request or the user,
so nothing of one reader can be frozen into a page that every reader gets. The reader-specific
parts are fragments (``site.fragments``), each rendered from a frozen dataclass that is both its
cache key and its whole context.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import SafeString, mark_safe

from masthead.core import clock, memo
from masthead.core.site_url import site_base
from masthead.paywall.gating import GatedBody
from masthead.paywall.services import ArticleView
from masthead.paywall.types import Message, ReaderKind
from masthead.publishing import selectors
from masthead.publishing.body import inline_image_ids
from masthead.publishing.models import Article, Image
from masthead.publishing.share import share_links
from masthead.syndication.structured_data import article_json_ld, open_graph

from . import fragments, offers

_TOKEN = secrets.token_hex(8)
LISTING_STEP_SECONDS = 30
SLOT_NAMES = ("account", "banner", "body", "panel", "json_ld", "nonce")
_SLOT = re.compile(rf"<!--slot:{_TOKEN}:(\w+)-->")


def _marker(name: str) -> str:
    return f"<!--slot:{_TOKEN}:{name}-->"


class Slots:
    """What templates print where a reader-specific part will go."""

    def __getattr__(self, name: str) -> SafeString:
        if name not in SLOT_NAMES:
            raise AttributeError(name)
        return mark_safe(_marker(name))


@dataclass(frozen=True)
class Shell:
    """A page rendered once, cut at its slots and encoded: text, slot name, text, slot name, ..., text."""

    parts: tuple[bytes | str, ...]

    @classmethod
    def of(cls, html: str) -> Shell:
        # Encoded once here, so a request encodes only what it fills in.
        return cls(tuple(part if i % 2 else part.encode() for i, part in enumerate(_SLOT.split(html))))

    def fill(self, values: dict[str, str | bytes]) -> bytes:
        return b"".join(_encoded(values.get(part, b"")) if i % 2 else part for i, part in enumerate(self.parts))


def _encoded(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


@dataclass(frozen=True, slots=True)
class ArticleShellKey:
    """Everything an article's shell is rendered from: its cache key and its whole input."""

    article_pk: int
    version: int
    template: str
    language: str
    base_url: str
    preview: bool = False

    def absolute(self, path: str) -> str:
        return path if "://" in path else self.base_url + path


@dataclass
class ArticlePage:
    key: ArticleShellKey
    article: Article
    shell: Shell
    url: str
    json_ld: dict[tuple, str] = field(default_factory=dict)
    bodies: dict[tuple, bytes] = field(default_factory=dict)

    # Both are made from the body the paywall left this reader, and kept per shape of it (whole, or
    # cut after n blocks): the gate decides on every request; the HTML of its answer is built once.
    def body_html(self, body: GatedBody) -> bytes:
        key = _shape(body)
        if key not in self.bodies:
            self.bodies[key] = render_body(self.article, body, self.images).encode()
        return self.bodies[key]

    @cached_property
    def images(self) -> dict[int, Image]:
        """The library images the body shows, read once per page version (an image edit makes a new version)."""
        return selectors.images_by_id(inline_image_ids(self.article.blocks))

    def structured_data(self, body: GatedBody) -> str:
        key = _shape(body)
        if key not in self.json_ld:
            self.json_ld[key] = article_json_ld(
                article=self.article,
                body=body,
                url=self.url,
                publication=selectors.current_publication(),
                absolute=self.key.absolute,
            )
        return self.json_ld[key]


def _shape(body: GatedBody) -> tuple[bool, int, int]:
    return (body.truncated, len(body.lead), len(body.rest))


def render_body(article: Article, body: GatedBody, images: dict[int, Image]) -> str:
    """The article body as this reader may have it: the one template every page of an article uses."""
    context = {"dateline": article.dateline, "lead": body.lead, "rest": body.rest, "images": images}
    return render_to_string("includes/article_body.html", context)


def article_page(
    *, article_pk: int, version: int, template: str, request: HttpRequest, preview: bool = False
) -> ArticlePage | None:
    """The shell for this article version, rendered on first use and then kept for a few seconds."""
    key = ArticleShellKey(article_pk, version, template, translation.get_language(), site_base(request), preview)
    return memo.remembered(key, lambda: _render_page(key))


def _render_page(key: ArticleShellKey) -> ArticlePage | None:
    article = selectors.article_by_pk(key.article_pk)
    if article is None:
        return None
    url = key.absolute(article.get_absolute_url())
    publication = selectors.current_publication()
    context = {
        "article": article,
        "slots": Slots(),
        "account_links": Slots().account,
        "canonical_url": url,
        "share_links": share_links(url=url, title=article.headline),
        "related": selectors.related_articles(article),
        "preview": key.preview,
        "open_graph": open_graph(article=article, url=url, publication=publication, absolute=key.absolute),
        "publication": publication,
        "nav_sections": selectors.navigation_sections(),
    }
    with translation.override(key.language):
        html = render_to_string(key.template, context)
    return ArticlePage(key=key, article=article, shell=Shell.of(html), url=url)


def account_links(request: HttpRequest) -> fragments.AccountLinks:
    user = getattr(request, "user", None)  # a page rendered before authentication (an early error) has none
    signed_in = user is not None and user.is_authenticated
    return fragments.AccountLinks(
        language=translation.get_language(), username=user.get_username() if signed_in else ""
    )


METER_BANNER_MESSAGES = frozenset({Message.ARTICLES_LEFT, Message.LAST_FREE_ARTICLE, Message.REREAD_ALLOWANCE_SPENT})


def reader_fragments(
    request: HttpRequest, view: ArticleView, *, article_pk: int = 0
) -> tuple[fragments.Fragment | None, ...]:
    """The banner and panel this reader gets for this decision (None where there is none)."""
    decision, lapse = view.decision, view.identified.lapse
    language = translation.get_language()
    user = request.user
    username = user.get_username() if user.is_authenticated else ""
    # What both fragments say about this page and this reader's meter. An account whose address is not
    # confirmed reads on the anonymous allowance: the fragments say how to raise it.
    common = {
        "language": language,
        "path": request.path,
        "message": decision.message,
        "window": decision.window,
        "verify_email": view.identified.reader.kind == ReaderKind.UNVERIFIED,
    }
    banner = None
    if decision.message in METER_BANNER_MESSAGES:
        banner = fragments.MeterBanner(**common, remaining=decision.remaining, signed_in=bool(username))
    panel = None
    if view.body.truncated:
        catalogue = offers.public_catalogue(language)
        panel = fragments.PaywallPanel(
            **common,
            limit=decision.limit,
            lapse=lapse,
            username=username,
            publication_name=selectors.current_publication().name,
            offers=catalogue.offers,
            plans=catalogue.plans,
            article_pk=article_pk,
        )
    return banner, panel


def _rendered(fragment: fragments.Fragment | None) -> str:
    return "" if fragment is None else fragments.render(fragment)


def compose(page: ArticlePage, request: HttpRequest, view: ArticleView) -> bytes:
    """The page for this reader: the shell with its slots filled."""
    banner, panel = reader_fragments(request, view, article_pk=page.article.pk)
    nonce = get_nonce(request)  # lazy: evaluating it here puts it in the response's CSP header
    values = {
        "account": fragments.render(account_links(request)),
        "banner": _rendered(banner),
        "body": page.body_html(view.body),
        "panel": _rendered(panel),
        "json_ld": page.structured_data(view.body),
        "nonce": "" if nonce is None else str(nonce),
    }
    return page.shell.fill(values)


@dataclass(frozen=True, slots=True)
class ListingKey:
    """Everything a listing's shell is rendered from, apart from what ``build_context`` reads."""

    name: str
    template: str
    language: str
    base_url: str
    step: int  # listings follow the clock in steps, so a scheduled article appears within one step


def listing(request: HttpRequest, name: str, template: str, build_context: Callable[[], dict]) -> HttpResponse:
    """A listing page (front, section, author): rendered once every few seconds, account links filled per reader."""
    step = int(clock.now().timestamp() // LISTING_STEP_SECONDS)
    key = ListingKey(name, template, translation.get_language(), site_base(request), step)

    def render() -> Shell:
        context = {
            **build_context(),
            "slots": Slots(),
            "account_links": Slots().account,
            "base_url": key.base_url,
            "publication": selectors.current_publication(),
            "nav_sections": selectors.navigation_sections(),
        }
        with translation.override(key.language):
            return Shell.of(render_to_string(key.template, context))

    shell = memo.remembered(key, render)
    response = HttpResponse(shell.fill({"account": fragments.render(account_links(request))}))
    if request.user.is_authenticated:
        patch_cache_control(response, private=True)
    patch_vary_headers(response, ("Cookie",))
    return response
