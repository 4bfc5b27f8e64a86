"""Numbers from the outside are parsed in one place: ASCII digits, a range, or nothing."""

import pytest

from masthead.core.parse import LARGEST_ID, ascii_digits, positive_int


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("42", 42), ("007", 7), ("100", 100)])
def test_positive_int_reads_ascii_digits_in_range(raw, expected):
    assert positive_int(raw, maximum=100) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "0",
        "101",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1\n",
        "1.0",
        "1e3",
        "0x10",
        "1_000",
        "²",  # passes str.isdigit(), int() refuses it
        "①",  # likewise
        "٣",  # Arabic-Indic three: int() would accept it
        "４２",  # fullwidth: int() would accept it
        "\x00",
        "1\x00",
        "9" * 10_000,  # longer than int() converts by default
    ],
)
def test_positive_int_refuses_anything_else(raw):
    assert positive_int(raw, maximum=100) is None


def test_positive_int_takes_the_largest_database_id_and_no_more():
    assert positive_int(str(LARGEST_ID), maximum=LARGEST_ID) == LARGEST_ID
    assert positive_int(str(LARGEST_ID + 1), maximum=LARGEST_ID) is None


@pytest.mark.parametrize(("raw", "expected"), [("0123", True), ("", False), ("²", False), ("٣", False), ("1a", False)])
def test_ascii_digits(raw, expected):
    assert ascii_digits(raw) is expected
