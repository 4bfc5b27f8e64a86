"""The tax settings: a value that cannot be right stops every start; one that the provider ignores is a check."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management.base import SystemCheckError

from masthead.payments.billing import TaxRate

from .test_checks import PRODUCTION, check_deploy, messages
from .test_deployment import manage

VAT_20 = TaxRate("VAT", Decimal("20"))


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("MASTHEAD_LOCAL_TAX_RATE", "120%", "MASTHEAD_LOCAL_TAX_RATE must be a percentage below 100"),
        ("MASTHEAD_LOCAL_TAX_RATE", "VAT", "e.g. 20, 8.875% or VAT 20%), not 'VAT'"),
        ("MASTHEAD_LOCAL_TAX_RATE", "twenty", "not 'twenty'"),
        (
            "MASTHEAD_STRIPE_TAX",
            "maybe",
            "MASTHEAD_STRIPE_TAX must be on, off, 1, 0, true, false, yes or no, not 'maybe'",
        ),
    ],
)
def test_a_bad_tax_setting_stops_the_start_naming_its_variable(variable, value, says):
    result = manage("check", DEBUG="1", **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and says in result.stderr


def test_good_tax_settings_start():
    result = manage("check", DEBUG="1", MASTHEAD_LOCAL_TAX_RATE="VAT 20%", MASTHEAD_STRIPE_TAX="off")
    assert result.returncode == 0, result.stderr
    stripe = {**{k: str(v) for k, v in PRODUCTION.items() if k.startswith("STRIPE_")}, "MASTHEAD_STRIPE_TAX": "on"}
    assert manage("check", DEBUG="1", MASTHEAD_PAYMENT_PROVIDER="stripe", **stripe).returncode == 0


def test_the_local_rate_with_the_stripe_provider_is_an_error(settings):
    assert messages(settings, MASTHEAD_STRIPE_TAX=True) == {}  # the positive control: Stripe Tax alone is right
    found = messages(settings, MASTHEAD_LOCAL_TAX_RATE=VAT_20, MASTHEAD_STRIPE_TAX=False)
    assert set(found) == {"masthead.E007"}
    assert "MASTHEAD_LOCAL_TAX_RATE is VAT 20%, but the stripe provider never charges it" in found["masthead.E007"].msg
    assert "no tax is charged at all" in found["masthead.E007"].msg
    assert "MASTHEAD_STRIPE_TAX=on" in found["masthead.E007"].hint
    with_stripe_tax = messages(settings, MASTHEAD_LOCAL_TAX_RATE=VAT_20, MASTHEAD_STRIPE_TAX=True)
    assert "Stripe Tax computes the tax" in with_stripe_tax["masthead.E007"].msg
    # Not a deploy-only check: the commands that start a site refuse too.
    assert "masthead.E007" in messages(settings, deploy=False, MASTHEAD_LOCAL_TAX_RATE=VAT_20)
    with pytest.raises(SystemCheckError, match=r"masthead\.E007"):
        check_deploy(settings, MASTHEAD_LOCAL_TAX_RATE=VAT_20)


def test_stripe_tax_with_the_local_provider_is_a_warning(settings):
    demo = {"DEBUG": True, "MASTHEAD_PAYMENT_PROVIDER": "local"}
    assert messages(settings, deploy=False, MASTHEAD_LOCAL_TAX_RATE=VAT_20, **demo) == {}  # the demo's rate is right
    found = messages(settings, deploy=False, MASTHEAD_STRIPE_TAX=True, **demo)
    assert set(found) == {"masthead.W005"}
    assert "MASTHEAD_LOCAL_TAX_RATE" in found["masthead.W005"].hint
