"""The reader's choice of plan or offer, and the article they came from, carried through the account step.

An anonymous reader who chooses an offer is sent to sign up (or sign in) with ``next`` pointing at
``/subscribe/continue/?choice=<signed>``: once they have an account, that address starts the checkout of
the offer they chose. The choice is signed, so a ``next`` only ever names a choice this site made, and read
back with every id checked again; a forged, stale or garbled one is ignored (no 500, no redirect away).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from django.core import signing
from django.urls import Resolver404, resolve, reverse

from masthead.core.parse import LARGEST_ID, positive_int
from masthead.publishing.models import Article
from masthead.publishing.selectors import article_head, visible_article
from masthead.subscriptions.models import Offer, Plan
from masthead.subscriptions.selectors import carried_choice

SALT = "masthead.site.carry"
# As long as the email confirmation link that carries it (accounts.verification.MAX_AGE), and a day more.
MAX_AGE = 4 * 24 * 3600
PARAMETER = "choice"


@dataclass(frozen=True, slots=True)
class Choice:
    plan_id: int
    offer_id: int | None = None
    code: str = ""
    article_id: int | None = None


def choice_dumps(choice: Choice) -> str:
    return signing.dumps([choice.plan_id, choice.offer_id or 0, choice.code, choice.article_id or 0], salt=SALT)


def choice_loads(token: str | None) -> Choice | None:
    """The choice ``token`` carries; None for anything this site did not sign in the last few days."""
    if not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, list) or len(data) != 4:
        return None
    plan, offer, code, article = data
    if not all(isinstance(value, int) for value in (plan, offer, article)) or not isinstance(code, str):
        return None
    if not 1 <= plan <= LARGEST_ID:
        return None
    return Choice(plan, offer if 1 <= offer <= LARGEST_ID else None, code[:40], article or None)


def continue_url(choice: Choice) -> str:
    """Where the reader goes once they have an account: the chosen offer's checkout."""
    return f"{reverse('subscriptions:continue')}?{urlencode({PARAMETER: choice_dumps(choice)})}"


def choice_from_next(next_url: str) -> Choice | None:
    """The choice a ``next`` address carries (one made by ``continue_url``), else None."""
    parts = urlsplit(next_url or "")
    if parts.scheme or parts.netloc or parts.path != reverse("subscriptions:continue"):
        return None
    return choice_loads((parse_qs(parts.query).get(PARAMETER) or [""])[0])


@dataclass(frozen=True, slots=True)
class Chosen:
    """A choice with its rows, each checked to exist (the offer for the plan, the article visible)."""

    plan: Plan
    offer: Offer | None
    code: str
    article: Article | None

    @property
    def name(self) -> str:
        return self.offer.name if self.offer else self.plan.name


def chosen(choice: Choice | None) -> Chosen | None:
    """The rows ``choice`` names; None when its plan or offer is no longer on show (or never was to this reader)."""
    if choice is None:
        return None
    found = carried_choice(choice.plan_id, choice.offer_id, choice.code)
    if found is None:
        return None
    plan, offer = found
    return Chosen(plan, offer, choice.code, visible_article(choice.article_id))


def article_param(raw: str | None) -> Article | None:
    """The article an ``article`` parameter names, if readers may see it; anything else is ignored."""
    return visible_article(positive_int(raw, maximum=LARGEST_ID))


# The pages whose address names the article being read: where the registration wall and the meter banner send
# ``next`` back to.
ARTICLE_PAGES = {"publishing:article", "publishing:article_print"}


def article_from_next(next_url: str) -> int | None:
    """The id of the article a ``next`` address leads back to, if readers may see it: the article a chosen
    offer carries (``continue_url``), or the article page itself (the registration wall's "Create a free
    account" returns there). None for anything else, a forged or garbled address included."""
    choice = choice_from_next(next_url)
    if choice is not None:
        article = visible_article(choice.article_id)
        return article.pk if article else None
    parts = urlsplit(next_url or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or len(parts.path) > 500:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name not in ARTICLE_PAGES:
        return None
    head = article_head(match.kwargs["slug"])
    if head is None or head.section_slug != match.kwargs["section_slug"]:
        return None
    article = visible_article(head.pk)
    return article.pk if article else None
