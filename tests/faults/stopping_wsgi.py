"""Masthead's WSGI application with a fault hook, for tests/faults only (MASTHEAD_WSGI_APP=tests.faults.stopping_wsgi).

When an ``invoice.paid`` event is handled, the real handler does its work (not committed yet); then the worker
writes "<its pid> <its parent's pid>" to $FAULT_HOOK_DIR/handling and stops there until the test SIGKILLs it.
"""

# ruff: noqa: I001 -- masthead.wsgi sets Django up, so it comes before the imports that need it
from __future__ import annotations

import os
import time
from pathlib import Path

from masthead.wsgi import application  # sets Django up: the real handlers are registered now
from masthead.payments import webhooks
from masthead.payments.interface import EventKind, PaymentEvent
from masthead.subscriptions.handlers import HANDLERS

__all__ = ["application"]

HOOK_DIR = Path(os.environ["FAULT_HOOK_DIR"])
real_handler = HANDLERS[EventKind.INVOICE_PAID]


def stopping_mid_way(event: PaymentEvent) -> str:
    note = real_handler(event)
    partial = HOOK_DIR / "handling.partial"
    partial.write_text(f"{os.getpid()} {os.getppid()}")
    partial.rename(HOOK_DIR / "handling")  # the test sees the whole line or nothing
    while True:  # until SIGKILL
        time.sleep(0.05)
    return note


webhooks.register(EventKind.INVOICE_PAID, stopping_mid_way)
