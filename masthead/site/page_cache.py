"""Article pages composed around a cached shell.

The shell is the page rendered once per article version (and language and host) with named slots
where the reader-specific parts go: the meter banner, the gated body, the paywall panel, the
structured data, the account links and the CSP nonce. A request fills the slots; it never renders
the page from scratch. Slot markers carry a per-process random token, so article text (always
escaped) can never forge one.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from masthead.core import clock, memo
from masthead.paywall.gating import GatedBody
from masthead.paywall.services import ArticleView
from masthead.paywall.types import Message
from masthead.publishing import selectors
from masthead.publishing.models import Article
from masthead.publishing.share import share_links
from masthead.subscriptions import selectors as sales
from masthead.syndication.structured_data import article_json_ld, open_graph

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


@dataclass
class ArticlePage:
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
            self.bodies[key] = _body(self, body).encode()
        return self.bodies[key]

    def structured_data(self, body: GatedBody, request: HttpRequest) -> str:
        key = _shape(body)
        if key not in self.json_ld:
            self.json_ld[key] = article_json_ld(
                article=self.article,
                body=body,
                url=self.url,
                publication=request.publication,
                absolute=request.build_absolute_uri,
            )
        return self.json_ld[key]


def _shape(body: GatedBody) -> tuple[bool, int, int]:
    return (body.truncated, len(body.lead), len(body.rest))


def _page_key(article_pk: int, version: int, template: str, request: HttpRequest) -> str:
    return f"page:{template}:{article_pk}:{version}:{get_language()}:{request.get_host()}"


def article_page(
    *, article_pk: int, version: int, template: str, request: HttpRequest, preview: bool = False
) -> ArticlePage | None:
    """The shell for this article version, rendered on first use and then kept for a few seconds."""
    key = _page_key(article_pk, version, template, request) + (":preview" if preview else "")
    return memo.remembered(key, lambda: _render_page(article_pk, template, request, preview))


def _render_page(article_pk: int, template: str, request: HttpRequest, preview: bool) -> ArticlePage | None:
    article = selectors.article_by_pk(article_pk)
    if article is None:
        return None
    url = request.build_absolute_uri(article.get_absolute_url())
    context = {
        "article": article,
        "slots": Slots(),
        "canonical_url": url,
        "share_links": share_links(url=url, title=article.headline),
        "related": selectors.related_articles(article),
        "preview": preview,
        "open_graph": open_graph(
            article=article, url=url, publication=request.publication, absolute=request.build_absolute_uri
        ),
        "publication": request.publication,
        "nav_sections": selectors.navigation_sections(),
        "request": request,
    }
    return ArticlePage(article=article, shell=Shell.of(render_to_string(template, context)), url=url)


def _fragment(template: str, key: tuple, context: dict) -> str:
    """A small reader-dependent fragment, rendered once per distinct key (everything the template reads)."""
    cache_key = f"fragment:{template}:{get_language()}:" + ":".join(str(part) for part in key)
    return memo.remembered(cache_key, lambda: render_to_string(template, context))


def _account_links(request: HttpRequest) -> str:
    user = request.user
    key = ("user", user.pk, user.get_username()) if user.is_authenticated else ("anonymous",)
    return _fragment("includes/account_links.html", key, {"user": user})


def _body(page: ArticlePage, body: GatedBody) -> str:
    dateline = f'<p class="dateline">{escape(page.article.dateline)}</p>' if page.article.dateline else ""
    rest = "".join(block["html"] for block in body.rest)
    lead = "".join(block["html"] for block in body.lead)
    paywalled = f'<div class="paywalled-content">{rest}</div>' if rest else ""
    return f'<div class="article-body">{dateline}{lead}{paywalled}</div>'


def compose(page: ArticlePage, request: HttpRequest, view: ArticleView) -> bytes:
    """The page for this reader: the shell with its slots filled."""
    decision, lapse = view.decision, view.identified.lapse
    signed_in = request.user.is_authenticated
    shared = {
        "decision": decision,
        "lapse": lapse,
        "request": request,
        "user": request.user,
        "publication": request.publication,
        # Called by the template only when the panel is rendered, not on every request.
        "offers": sales.offers_on_show,
        "plans": sales.live_plans,
    }
    banner = ""
    if decision.message in (Message.ARTICLES_LEFT, Message.LAST_FREE_ARTICLE):
        banner = _fragment(
            "paywall/meter_banner.html",
            (request.path, decision.message, decision.remaining, decision.window, signed_in),
            shared,
        )
    panel = ""
    if view.body.truncated:
        panel = _fragment(
            "paywall/panel.html",
            (
                request.path,
                decision.message,
                decision.limit,
                decision.window,
                lapse,
                request.user.get_username() if signed_in else "",
            ),
            shared,
        )
    nonce = get_nonce(request)  # lazy: evaluating it here puts it in the response's CSP header
    values = {
        "account": _account_links(request),
        "banner": banner,
        "body": page.body_html(view.body),
        "panel": panel,
        "json_ld": page.structured_data(view.body, request),
        "nonce": "" if nonce is None else str(nonce),
    }
    return page.shell.fill(values)


def listing(request: HttpRequest, name: str, template: str, build_context: Callable[[], dict]) -> HttpResponse:
    """A listing page (front, section, author): rendered once every few seconds, account links filled per reader."""
    # Listings follow the clock in steps, so a scheduled article appears within one step of its time.
    step = int(clock.now().timestamp() // LISTING_STEP_SECONDS)
    key = f"listing:{name}:{get_language()}:{request.get_host()}:{step}"

    def render() -> str:
        context = {
            **build_context(),
            "slots": Slots(),
            "publication": request.publication,
            "nav_sections": selectors.navigation_sections(),
            "request": request,
        }
        return render_to_string(template, context)

    shell = memo.remembered(key, lambda: Shell.of(render()))
    response = HttpResponse(shell.fill({"account": _account_links(request)}))
    if request.user.is_authenticated:
        patch_cache_control(response, private=True)
    patch_vary_headers(response, ("Cookie",))
    return response
