"""Numbers that come from the outside (query strings, form fields, HTML attributes), parsed in one place.

Only ASCII digits make a number. ``str.isdigit()`` is not the test: ``²`` and ``①`` pass it and then
``int()`` refuses them, while ``٣`` and ``３`` pass both, so one id would have many spellings. A value
that is not a number in range is ``None``: the caller answers "not found" or "please choose", never 500.
"""

from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"[0-9]+")
LARGEST_ID = 2**63 - 1  # a BigAutoField's range: an id beyond it matches no row


def ascii_digits(raw: str) -> bool:
    """Whether ``raw`` is one or more ASCII digits and nothing else (no sign, no space, no newline)."""
    return _ASCII_DIGITS.fullmatch(raw) is not None


def positive_int(raw: str | None, *, maximum: int) -> int | None:
    """``raw`` as a whole number from 1 to ``maximum``, or None when it is anything else."""
    if not raw or not ascii_digits(raw):
        return None
    significant = raw.lstrip("0")
    # Longer than the maximum means larger: int() is never asked to read 10 KB of digits.
    if len(significant) > len(str(maximum)):
        return None
    number = int(significant or "0")
    return number if 1 <= number <= maximum else None
