"""The paywall around a request: identify the reader, ask the policy, count the read, gate the body."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from time import perf_counter

from django.http import HttpRequest, HttpResponse

from masthead.core import clock
from masthead.publishing.access import AccessLevel
from masthead.publishing.models import Article
from masthead.publishing.selectors import current_publication

from . import hooks, policy
from .gating import GatedBody, gate
from .meter import MeterUnavailable, meter_store
from .readers import IdentifiedReader, anonymous_id, identify_reader, remember_anonymous_id
from .settings import fail_open, meter_rules
from .types import ArticleAccess, Decision, MeterState, Reader
from .windows import WindowSpan, window_span

logger = logging.getLogger(__name__)

# What a page made for one reader tells caches: only the browser may keep it, and must ask again.
PRIVATE_PAGE = "max-age=0, no-cache, private"


@dataclass(frozen=True)
class ArticleView:
    """What a reader may see of an article, and how to finish the response."""

    decision: Decision
    body: GatedBody
    identified: IdentifiedReader

    def finish(self, response: HttpResponse) -> HttpResponse:
        """Keep shared caches out and remember a new anonymous reader."""
        # The response is the view's own and new, so the headers are set outright (patching parses them).
        response.headers["Cache-Control"] = PRIVATE_PAGE
        response.headers["Vary"] = "Cookie"
        if self.identified.new_anonymous_id:
            remember_anonymous_id(response, self.identified.new_anonymous_id)
        return response


def article_access(article: Article) -> ArticleAccess:
    return ArticleAccess(
        article_id=article.pk,
        level=AccessLevel(article.effective_access),
        block_count=len(article.content_blocks),
        paywall_break=article.paywall_break_index,
    )


def _current_span(rules, now) -> WindowSpan:
    return window_span(rules.window, now, current_publication().time_zone)


def _without_meter(access: ArticleAccess, rules, error: MeterUnavailable) -> Decision:
    logger.error("meter store unavailable (%s); failing %s", error, "open" if fail_open() else "closed")
    return policy.decide_without_meter(article=access, rules=rules, fail_open=fail_open())


def _metered_decision(access: ArticleAccess, identified: IdentifiedReader, rules, now) -> Decision:
    reader = identified.reader
    span = _current_span(rules, now)
    store = meter_store()
    try:
        if identified.new_anonymous_id:
            # A reader minted by this very request has read nothing yet.
            decision = policy.decide(article=access, reader=reader, meter=MeterState(), rules=rules, now=now)
            if decision.records_read:
                store.record_first(reader.key, access.article_id, span, now)
            return decision
        before = store.state(reader.key, access.article_id, span)
        decision = policy.decide(article=access, reader=reader, meter=before, rules=rules, now=now)
        if not decision.records_read:
            return decision
        result = store.record(reader.key, access.article_id, span, decision.limit, now)
        if result.recorded:
            return decision
        # Another request changed the meter between our look and our count: decide on what it holds now.
        return policy.decide(article=access, reader=reader, meter=result.state, rules=rules, now=now)
    except MeterUnavailable as error:
        return _without_meter(access, rules, error)


def article_view_for(request: HttpRequest, article: Article, *, count: bool = True) -> ArticleView:
    """Decide what ``request``'s reader gets of ``article``; counts a metered read unless ``count`` is off."""
    identified = identify_reader(request)
    reader = identified.reader
    access = article_access(article)
    rules = meter_rules()
    now = clock.now()
    metered = policy.is_metered(access, reader)
    meter_seconds = None
    if metered and count:
        started = perf_counter()  # the meter store's calls, for operator metrics (the pure decisions are µs)
        decision = _metered_decision(access, identified, rules, now)
        meter_seconds = perf_counter() - started
    elif metered:
        decision = _peek_decision(access, reader, rules, now)
    else:
        decision = policy.decide(article=access, reader=reader, meter=MeterState(), rules=rules, now=now)
    body = gate(article.content_blocks, decision, policy.teaser_length(access, rules))
    if count:
        hooks.decided(hooks.DecisionEvent(access.article_id, reader, decision, now, meter_seconds))
    return ArticleView(decision, body, identified)


def _peek_decision(access: ArticleAccess, reader: Reader, rules, now) -> Decision:
    """A decision that counts nothing: full only for an article already counted in this window."""
    try:
        state = meter_store().state(reader.key, access.article_id, _current_span(rules, now))
    except MeterUnavailable as error:
        return _without_meter(access, rules, error)
    if state.already_read:
        return policy.decide(article=access, reader=reader, meter=state, rules=rules, now=now)
    exhausted = MeterState(used=max(state.used, rules.limit_for(reader.kind)))
    return policy.decide(article=access, reader=reader, meter=exhausted, rules=rules, now=now)


def meter_merge_on_signin(request: HttpRequest, user) -> None:
    """Count this browser's anonymous reads of the current window for the account signing in."""
    anonymous = anonymous_id(request)
    if not anonymous:
        return
    try:
        meter_store().merge(f"a:{anonymous}", f"u:{user.pk}", _current_span(meter_rules(), clock.now()))
    except MeterUnavailable as exc:
        logger.error("meter store unavailable while merging reads at sign-in: %s", exc)
