"""Win-back: one email with an offer for lapsed readers, N days after access ends, with a one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client

from masthead.accounts import marketing
from masthead.accounts.models import ReaderProfile
from masthead.publishing.selectors import current_publication
from masthead.subscriptions.models import Offer, Subscription
from masthead.subscriptions.services import subscriptions_tick
from tests.mailserver import Mailbox, smtp_mailers, smtp_server

from .conftest import offer_on_sale, subscribe

pytestmark = pytest.mark.django_db(transaction=True)  # emails are sent when changes commit

SITE = "https://news.example.com"
WINBACK_SUBJECT = "Come back to The Masthead Review: Come back: 3 months for $6"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.MASTHEAD_SITE_URL = SITE


@pytest.fixture
def winback_offer(commerce, clock) -> Offer:
    return offer_on_sale(
        clock,
        days=120,
        name="Come back: 3 months for $6",
        slug="come-back",
        plan=commerce.monthly,
        kind="intro_price",
        intro_amount_minor=200,
        intro_intervals=3,
        eligibility="lapsed",
    )


def lapse(clock, commerce, *clients) -> Subscription:
    """Each signed-in reader subscribes and cancels, and the clock ends their access; returns the first's."""
    subscriptions = []
    for client in clients:
        subscriptions.append(subscribe(client, commerce.monthly))
        client.post("/account/subscription/cancel/", {"subscription": subscriptions[-1].pk})
    clock.set(max(Subscription.objects.values_list("current_period_end", flat=True)) + dt.timedelta(minutes=1))
    subscriptions_tick()
    for subscription in subscriptions:
        subscription.refresh_from_db()
        assert subscription.status == "expired"
    return subscriptions[0]


def winbacks() -> list:
    return [message for message in mail.outbox if message.subject == WINBACK_SUBJECT]


def other_reader(email: str) -> tuple[Client, User]:
    other = Client()
    user = User.objects.create_user(email, email=email, password="a sturdy passphrase 42")
    other.force_login(user)
    return other, user


def test_one_email_n_days_after_access_ends_and_none_on_a_second_tick(client, clock, commerce, reader, winback_offer):
    lapse(clock, commerce, client)
    assert "Your full access to The Masthead Review has expired" in [m.subject for m in mail.outbox]
    clock.advance(days=14, minutes=-2)
    assert subscriptions_tick()["winback"] == 0
    assert mail.outbox and not winbacks()  # the expiry notice is there; no win-back a day early
    clock.advance(minutes=3)
    assert subscriptions_tick()["winback"] == 1
    (message,) = winbacks()
    assert message.to == ["reader@example.com"]
    assert "$2 a month for 3 months, then $12 a month from" in message.body  # the schedule, written out
    link = f"{SITE}/subscribe/?offer=come-back#offer-come-back"
    assert f"Take the offer: {link}" in message.body
    assert subscriptions_tick()["winback"] == 0
    call_command("subscriptions_tick")
    clock.advance(days=3)
    call_command("subscriptions_tick")
    assert len(winbacks()) == 1
    assert Subscription.objects.get(user=reader).winback_handled


def test_the_offer_link_leads_to_that_offers_checkout_for_the_lapsed_reader_only(
    client, clock, commerce, reader, winback_offer
):
    lapse(clock, commerce, client)
    clock.advance(days=14, minutes=1)
    subscriptions_tick()
    (message,) = winbacks()
    path = re.search(re.escape(SITE) + r"(/subscribe/\S+)", message.body).group(1)
    page = client.get(path).content.decode()
    chosen = page.split('id="offer-come-back"')[1].split("</article>")[0]
    assert "Your offer" in chosen and "Come back: 3 months for $6" in chosen
    assert page.index('id="offer-come-back"') < page.index('id="offer-trial"')  # shown first
    public = client.get("/subscribe/").content.decode()
    assert "Try it free for 14 days" in public and "Come back: 3 months for $6" not in public  # only by its link
    checkout = client.post("/subscribe/checkout/", {"plan": commerce.monthly.pk, "offer": winback_offer.pk})
    assert checkout.status_code == 302 and checkout["Location"].startswith("/payments/local/checkout/")
    newcomer, _user = other_reader("new@example.com")
    refused = newcomer.post(
        "/subscribe/checkout/", {"plan": commerce.monthly.pk, "offer": winback_offer.pk}, follow=True
    ).content.decode()
    assert "This offer is for returning subscribers." in refused


def test_an_opted_out_reader_gets_no_winback(client, clock, commerce, reader, winback_offer):
    other, _user = other_reader("stays@example.com")
    lapse(clock, commerce, client, other)
    path = urlsplit(marketing.unsubscribe_url(reader)).path
    assert Client().post(path).status_code == 200
    assert ReaderProfile.objects.get(user=reader).marketing_opt_out
    clock.advance(days=15)
    assert subscriptions_tick()["winback"] == 1
    (message,) = winbacks()
    assert message.to == ["stays@example.com"]  # the tick sends win-backs, but not to the reader who opted out
    assert not [m for m in winbacks() if m.to == ["reader@example.com"]]
    assert Subscription.objects.get(user=reader).winback_handled  # passed over for good


def test_an_opt_out_after_the_email_was_queued_still_stops_it(client, clock, commerce, reader, winback_offer):
    from masthead.subscriptions.notifications import send_marketing_email

    send_marketing_email.call(kind="winback", user_id=reader.pk, offer_id=winback_offer.pk)
    assert len(winbacks()) == 1
    ReaderProfile.objects.update_or_create(user=reader, defaults={"marketing_opt_out": True})
    send_marketing_email.call(kind="winback", user_id=reader.pk, offer_id=winback_offer.pk)
    assert len(winbacks()) == 1


def test_a_reader_who_came_back_gets_no_winback(client, clock, commerce, reader, winback_offer):
    other, _user = other_reader("other@example.com")
    old = lapse(clock, commerce, client, other)
    subscribe(client, commerce.annual)
    clock.advance(days=15)
    assert subscriptions_tick()["winback"] == 1
    assert [m.to for m in winbacks()] == [["other@example.com"]]
    old.refresh_from_db()
    assert old.winback_handled


def test_no_offer_for_lapsed_readers_means_no_email_until_one_opens(client, clock, commerce, reader):
    lapse(clock, commerce, client)
    clock.advance(days=14, minutes=1)
    assert commerce.intro.eligibility == "new" and subscriptions_tick()["winback"] == 0
    assert not winbacks() and not Subscription.objects.get(user=reader).winback_handled
    commerce.intro.eligibility = "new_or_lapsed"  # an offer lapsed readers may take will do
    commerce.intro.ends_at = clock.now + dt.timedelta(days=30)
    commerce.intro.save()
    clock.advance(days=1)
    assert subscriptions_tick()["winback"] == 1
    (message,) = [m for m in mail.outbox if m.subject.startswith("Come back to")]
    assert "Try 3 months for $9" in message.subject


def test_the_publication_sets_the_delay_and_zero_turns_it_off(client, clock, commerce, reader, winback_offer):
    publication = current_publication()
    publication.winback_days = 30
    publication.save()
    lapse(clock, commerce, client)
    clock.advance(days=29)
    assert subscriptions_tick()["winback"] == 0
    clock.advance(days=1)
    publication.winback_days = 0
    publication.save()
    assert subscriptions_tick()["winback"] == 0
    publication.winback_days = 30
    publication.save()
    assert subscriptions_tick()["winback"] == 1
    assert len(winbacks()) == 1


def test_an_old_lapse_is_left_alone(client, clock, commerce, reader, winback_offer):
    lapse(clock, commerce, client)
    clock.advance(days=14 + 8)  # past the window: say, the win-back offer was created only now
    assert subscriptions_tick()["winback"] == 0
    assert mail.outbox and not winbacks()
    assert Subscription.objects.get(user=reader).winback_handled  # passed over, and not looked at again


def test_the_winback_carries_one_click_unsubscribe_headers_and_a_receipt_does_not(
    client, clock, commerce, reader, winback_offer
):
    lapse(clock, commerce, client)
    clock.advance(days=14, minutes=1)
    subscriptions_tick()
    (winback,) = winbacks()
    headers = winback.message()
    url = marketing.unsubscribe_url(reader)
    assert url.startswith(f"{SITE}/accounts/unsubscribe/")
    assert headers["List-Unsubscribe"] == f"<{url}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in winback.body  # the link is in the text too
    receipt = next(m for m in mail.outbox if m.subject.startswith("Receipt") or "receipt" in m.subject.lower())
    assert receipt.to == ["reader@example.com"] and "We received your payment" in receipt.body
    assert receipt.message()["List-Unsubscribe"] is None and receipt.message()["List-Unsubscribe-Post"] is None


def test_a_receipt_still_reaches_a_reader_who_opted_out(client, clock, commerce, reader):
    marketing_path = urlsplit(marketing.unsubscribe_url(reader)).path
    Client().post(marketing_path)
    assert ReaderProfile.objects.get(user=reader).marketing_opt_out
    subscribe(client, commerce.monthly)
    assert any("We received your payment" in m.body for m in mail.outbox)


def test_the_winback_and_its_headers_arrive_over_smtp_and_one_click_works(
    client, clock, commerce, reader, winback_offer, settings
):
    lapse(clock, commerce, client)
    clock.advance(days=14, minutes=1)
    with smtp_server() as (mailbox, port):
        settings.MAILERS = smtp_mailers(port)
        mail.outbox.clear()
        subscriptions_tick()
        (message,) = mailbox.wait_for(1)
    assert not mail.outbox  # it went over the wire, not to the in-memory outbox
    assert message["To"] == "reader@example.com" and message["Subject"] == WINBACK_SUBJECT
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https://\S+)>", message["List-Unsubscribe"]).group(1)
    # On the wire: one plain line, not RFC 2047 encoded-words (which mail providers ignore).
    (raw,) = mailbox.raw
    headers = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode() in headers
    assert b"=?" not in headers  # no encoded word in any header
    assert url in Mailbox.text(message)
    # What a mail client does (RFC 8058): POST the body, no cookies, no CSRF token.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        urlsplit(url).path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    assert ReaderProfile.objects.get(user=reader).marketing_opt_out


def test_the_winback_speaks_the_publications_language(client, clock, commerce, reader, winback_offer):
    publication = current_publication()
    publication.language = "ja"
    publication.save()
    lapse(clock, commerce, client)
    clock.advance(days=14, minutes=1)
    assert subscriptions_tick()["winback"] == 1
    (message,) = [m for m in mail.outbox if "戻ってきませんか" in m.subject]
    assert message.subject == "The Masthead Reviewに戻ってきませんか：Come back: 3 months for $6"
    assert "以前に購読していた方へのキャンペーンをご用意しました" in message.body
    assert "3か月間は月額$2" in message.body  # the schedule, in Japanese
    assert "キャンペーンを利用する：" in message.body and "今後キャンペーンのメールが不要な場合：" in message.body
    assert message.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_two_ticks_that_overlap_send_one_email(client, clock, commerce, reader, winback_offer, monkeypatch):
    from masthead.subscriptions import services

    lapse(clock, commerce, client)
    clock.advance(days=14, minutes=1)
    real = services.winback_offer
    second_run: list[int] = []

    def interleaved(user, now, **kwargs):
        if not second_run:  # another tick runs after this one read the due lapses, before it claims one
            monkeypatch.setattr(services, "winback_offer", real)
            second_run.append(services.winback_send_due(now))
        return real(user, now, **kwargs)

    monkeypatch.setattr(services, "winback_offer", interleaved)
    assert services.winback_send_due(clock.now) == 0
    assert second_run == [1]
    assert len(winbacks()) == 1


@pytest.mark.parametrize("chosen", ["no-such-offer", "<script>", "come-back\x00", "x" * 500, "trial%0A"])
def test_an_odd_chosen_offer_just_chooses_nothing(client, winback_offer, chosen):
    page = client.get("/subscribe/", {"offer": chosen})
    html = page.content.decode()
    assert page.status_code == 200 and "Try it free for 14 days" in html
    assert "offer-chosen" not in html.replace(".offer-chosen", "") and "Your offer" not in html


def test_the_publisher_sets_the_delay_and_makes_a_winback_offer_in_the_admin(client, commerce):
    from tests.admin_forms import offer_admin_form, publication_admin_form, staff_user

    admin = staff_user("owner", None)
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    publication = current_publication()
    form = client.get(f"/admin/publishing/publication/{publication.pk}/change/").content.decode()
    assert 'name="winback_days" value="14"' in form and "win-back email after (days)" in form.lower()
    change = f"/admin/publishing/publication/{publication.pk}/change/"
    refused = client.post(change, publication_admin_form(publication, winback_days="400"))
    assert refused.status_code == 200 and "errornote" in refused.content.decode()  # a year at most
    saved = client.post(change, publication_admin_form(publication, winback_days="21"))
    assert saved.status_code == 302
    publication.refresh_from_db()
    assert publication.winback_days == 21
    offer_form = client.get("/admin/subscriptions/offer/add/").content.decode()
    assert "Lapsed subscribers only (win-back)" in offer_form
    added = client.post(
        "/admin/subscriptions/offer/add/",
        offer_admin_form(commerce.monthly, slug="win-back", eligibility="lapsed", ends_at_0="2027-12-31"),
    )
    assert added.status_code == 302
    assert Offer.objects.get(slug="win-back").eligibility == "lapsed"
