"""The subscription lifecycle as a pure transition table. No Django, no I/O, no clock."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    INCOMPLETE = "incomplete"  # checkout started, nothing paid or trialled yet
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"  # a renewal failed; access continues through the grace period
    CANCELED = "canceled"  # will end at the end of the paid (or trial) period; can still be resumed
    EXPIRED = "expired"  # over; a new subscription starts afresh


class Event(StrEnum):
    TRIAL_STARTED = "trial_started"
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    CHECKOUT_FAILED = "checkout_failed"
    CANCEL = "cancel"
    RESUME = "resume"  # back to paying at the next renewal
    RESUME_TRIAL = "resume_trial"  # a canceled trial that has not ended yet
    PERIOD_ENDED = "period_ended"  # a trial or a canceled period ran out unpaid
    GRACE_ENDED = "grace_ended"


class InvalidTransition(ValueError):
    def __init__(self, status: Status, event: Event) -> None:
        super().__init__(f"a {status} subscription cannot take the event {event}")
        self.status, self.event = status, event


TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.INCOMPLETE, Event.TRIAL_STARTED): Status.TRIALING,
    (Status.INCOMPLETE, Event.PAYMENT_SUCCEEDED): Status.ACTIVE,
    (Status.INCOMPLETE, Event.PAYMENT_FAILED): Status.INCOMPLETE,
    (Status.INCOMPLETE, Event.CHECKOUT_FAILED): Status.EXPIRED,
    (Status.TRIALING, Event.PAYMENT_SUCCEEDED): Status.ACTIVE,
    (Status.TRIALING, Event.PAYMENT_FAILED): Status.PAST_DUE,
    (Status.TRIALING, Event.CANCEL): Status.CANCELED,
    (Status.TRIALING, Event.PERIOD_ENDED): Status.EXPIRED,
    (Status.ACTIVE, Event.PAYMENT_SUCCEEDED): Status.ACTIVE,
    (Status.ACTIVE, Event.PAYMENT_FAILED): Status.PAST_DUE,
    (Status.ACTIVE, Event.CANCEL): Status.CANCELED,
    (Status.PAST_DUE, Event.PAYMENT_SUCCEEDED): Status.ACTIVE,
    (Status.PAST_DUE, Event.PAYMENT_FAILED): Status.PAST_DUE,
    (Status.PAST_DUE, Event.GRACE_ENDED): Status.EXPIRED,
    (Status.PAST_DUE, Event.CANCEL): Status.EXPIRED,
    (Status.CANCELED, Event.RESUME): Status.ACTIVE,
    (Status.CANCELED, Event.RESUME_TRIAL): Status.TRIALING,
    (Status.CANCELED, Event.PERIOD_ENDED): Status.EXPIRED,
}


def transition(status: Status, event: Event) -> Status:
    """The status after ``event``; raises InvalidTransition when the event makes no sense in ``status``."""
    try:
        return TRANSITIONS[(Status(status), Event(event))]
    except KeyError:
        raise InvalidTransition(Status(status), Event(event)) from None


def can(status: Status, event: Event) -> bool:
    return (Status(status), Event(event)) in TRANSITIONS


def provider_may_move(target: Status, *, ever_paid: bool) -> bool:
    """Whether a provider's status may bring a subscription to ``target``: once paid, never back to INCOMPLETE.

    INCOMPLETE means "nothing paid yet"; a provider event that says so about a paid subscription is older than
    the payment, however it is stamped.
    """
    return not (ever_paid and Status(target) == Status.INCOMPLETE)
