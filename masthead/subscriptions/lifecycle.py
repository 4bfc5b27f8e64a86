"""Moving a stored subscription through the transition table, with its history."""

from __future__ import annotations

from masthead.core import clock

from . import hooks
from .models import Subscription, SubscriptionChange
from .states import TRANSITIONS, Event, Status, transition


def apply_event(subscription: Subscription, event: Event, *, note: str = "") -> bool:
    """Apply a lifecycle event (raises InvalidTransition); returns whether the status changed."""
    before = Status(subscription.status)
    after = transition(before, event)
    subscription.status = after
    subscription.save()
    change = SubscriptionChange.objects.create(
        subscription=subscription, at=clock.now(), event=event, from_status=before, to_status=after, note=note
    )
    if before == Status.INCOMPLETE and after == Status.TRIALING:
        hooks.reached(
            hooks.SubscriptionMilestone(
                hooks.Milestone.TRIAL_STARTED,
                subscription.pk,
                subscription.user_id,
                change.at,
                subscription.source_article_id,
            )
        )
    return before != after


def move_to(subscription: Subscription, target: Status, *, note: str) -> None:
    """Bring the subscription to ``target`` by a legal event when there is one; else record a sync."""
    current = Status(subscription.status)
    if current == target:
        subscription.save()
        return
    for (state, event), after in TRANSITIONS.items():
        if state == current and after == target:
            apply_event(subscription, event, note=note)
            return
    # The provider is the source of truth for what it billed; record that we followed it.
    subscription.status = target
    subscription.save()
    SubscriptionChange.objects.create(
        subscription=subscription,
        at=clock.now(),
        event="provider_sync",
        from_status=current,
        to_status=target,
        note=note,
    )


def note_change(subscription: Subscription, event: str, *, note: str) -> None:
    """Record in the subscription's history something that happened to it without changing its status."""
    SubscriptionChange.objects.create(
        subscription=subscription,
        at=clock.now(),
        event=event,
        from_status=subscription.status,
        to_status=subscription.status,
        note=note[:300],
    )
