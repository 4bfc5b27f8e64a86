"""The access levels an article can have: one vocabulary for publishing and the paywall. Pure: no Django.

Publishing stores them (its models build their choices, with labels, from this enum) and the paywall decides
on them. This module is the lowest layer that needs them, so it imports nothing: the pure paywall modules may
import it (see the import contract in pyproject.toml).
"""

from __future__ import annotations

from enum import StrEnum


class AccessLevel(StrEnum):
    FREE = "free"
    METERED = "metered"  # counts against the reader's free articles
    REGISTERED = "registered"
    SUBSCRIBERS = "subscribers"
