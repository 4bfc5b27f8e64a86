"""Tax on a charge, as a table (payments.billing is pure): inclusive and exclusive × rates × rounding."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masthead.payments.billing import TaxedAmount, TaxRate, apply_tax, parse_tax_rate

VAT_20 = TaxRate("VAT", Decimal("20"))
NYC = TaxRate("Sales tax", Decimal("8.875"))
JP = TaxRate("消費税", Decimal("10"))
CH = TaxRate("MWST", Decimal("7.7"))
SMALL = TaxRate("", Decimal("2.5"))


@pytest.mark.parametrize(
    ("amount", "rate", "inclusive", "net", "tax", "total"),
    [
        # Prices that include the tax: the reader pays the price; the tax is split out of it.
        (1200, VAT_20, True, 1000, 200, 1200),  # $12 → $10 + $2
        (300, VAT_20, True, 250, 50, 300),  # the $3 introductory month
        (12000, VAT_20, True, 10000, 2000, 12000),
        (999, VAT_20, True, 832, 167, 999),  # 166.5 rounds half up
        (3, VAT_20, True, 2, 1, 3),  # 0.5 rounds up
        (1, VAT_20, True, 1, 0, 1),  # 0.17 rounds down: no tax on a cent
        (1200, NYC, True, 1102, 98, 1200),  # 97.82
        (1100, JP, True, 1000, 100, 1100),  # yen: the minor unit is the yen
        (1, JP, True, 1, 0, 1),
        # Prices before tax: the tax is added to the price.
        (1200, VAT_20, False, 1200, 240, 1440),
        (300, VAT_20, False, 300, 60, 360),
        (1200, NYC, False, 1200, 107, 1307),  # 106.5 rounds half up
        (1000, NYC, False, 1000, 89, 1089),  # 88.75
        (999, NYC, False, 999, 89, 1088),  # 88.66
        (1250, CH, False, 1250, 96, 1346),  # 96.25
        (1000, JP, False, 1000, 100, 1100),
        (100, SMALL, False, 100, 3, 103),  # 2.5 rounds up
        (99, SMALL, False, 99, 2, 101),  # 2.475 rounds down
        # Nothing to tax.
        (0, VAT_20, True, 0, 0, 0),  # a free trial's first charge
        (0, VAT_20, False, 0, 0, 0),
        (1200, None, True, 1200, 0, 1200),  # no rate configured
        (1200, None, False, 1200, 0, 1200),
        (1200, TaxRate("VAT", Decimal("0")), False, 1200, 0, 1200),
    ],
)
def test_the_tax_on_a_charge(amount, rate, inclusive, net, tax, total):
    assert apply_tax(amount, rate, inclusive=inclusive) == TaxedAmount(net, tax, total)


@given(
    amount=st.integers(min_value=0, max_value=10_000_000),
    percent=st.decimals(min_value=0, max_value=Decimal("99.9999"), places=4),
    inclusive=st.booleans(),
)
def test_net_and_tax_always_make_the_total_and_the_tax_is_the_nearest_minor_unit(amount, percent, inclusive):
    taxed = apply_tax(amount, TaxRate("", percent), inclusive=inclusive)
    assert taxed.net_minor + taxed.tax_minor == taxed.total_minor
    assert taxed.tax_minor >= 0 and taxed.net_minor >= 0
    assert (taxed.total_minor if inclusive else taxed.net_minor) == amount  # the price is what it says
    exact = amount * Fraction(percent) / (100 + Fraction(percent) if inclusive else 100)
    assert abs(taxed.tax_minor - exact) <= Fraction(1, 2)


@pytest.mark.parametrize(
    ("text", "rate", "label"),
    [
        ("20", TaxRate("", Decimal("20")), "20%"),
        ("20%", TaxRate("", Decimal("20")), "20%"),
        (" VAT 20% ", VAT_20, "VAT 20%"),
        ("VAT 20.0", TaxRate("VAT", Decimal("20.0")), "VAT 20%"),
        ("Sales tax 8.875%", NYC, "Sales tax 8.875%"),
        ("消費税 10%", JP, "消費税 10%"),
        ("VAT 20 %", VAT_20, "VAT 20%"),
    ],
)
def test_a_rate_is_read_with_or_without_a_name(text, rate, label):
    parsed = parse_tax_rate(text)
    assert parsed == rate
    assert parsed.label == label


@pytest.mark.parametrize("text", ["", "  ", "0", "0%", "VAT 0%", "0.0"])
def test_no_rate_or_a_zero_rate_is_no_tax(text):
    assert parse_tax_rate("VAT 20%") is not None  # the positive control: a rate is read
    assert parse_tax_rate(text) is None


@pytest.mark.parametrize(
    "text",
    ["100", "120%", "VAT", "VAT20%", "-5", "VAT -5%", "20.12345", "twenty", "２０", "VA\x00T 20%", "x" * 41 + " 20"],
)
def test_anything_else_is_refused_with_what_is_accepted(text):
    with pytest.raises(ValueError, match=r"^a percentage below 100 .* \(e\.g\. 20, 8\.875% or VAT 20%"):
        parse_tax_rate(text)
