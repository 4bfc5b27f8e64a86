"""The leak monitor: paywall_audit on a schedule against the site's own address, kept 90 days, shown on the admin
index, and mailed to the publishers on a leak or when it cannot run."""

from __future__ import annotations

import datetime as dt
import io
import re
import signal

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from masthead.insights.models import AuditRoadResult, AuditRun
from masthead.insights.monitor import MonitorError, monitor_leaks, publisher_addresses
from masthead.insights.tasks import monitor_leaks_task
from masthead.paywall import gating
from masthead.publishing.roles import EDITORS, PUBLISHERS
from masthead.publishing.selectors import current_publication, forget_site_settings
from tests.mailserver import Mailbox, smtp_mailers, smtp_server
from tests.servers import free_port

# The audit reads a live server, and the alert is queued when the run commits: real transactions.
pytestmark = pytest.mark.django_db(transaction=True)

RUNS = "/admin/insights/auditrun/"


def paragraphs(tag: str) -> str:
    return "".join(f"<p>{tag} paragraph number {i} holds reporting worth paying for.</p>" for i in range(1, 7))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(live_server, make_article, settings):
    """A live site with metered, subscriber-only and free articles, whose public address is the live server.

    Six metered articles: the audit's two readers each spend the meter (3 for anonymous readers) on three.
    """
    for n in range(6):
        make_article(body_html=paragraphs(f"Metered{n}"), slug=f"metered-{n}")
    make_article(access="subscribers", body_html=paragraphs("Exclusive"), slug="exclusive")
    make_article(access="free", body_html=paragraphs("Open"), slug="open")
    settings.MASTHEAD_SITE_URL = live_server.url
    return live_server


@pytest.fixture
def leaky_site(site, monkeypatch):
    """The planted leak of the audit's own tests: the gate hands every reader the whole body."""

    def leaky_gate(blocks, decision, teaser_length):
        return gating.GatedBody(tuple(blocks), (), truncated=not decision.full)

    monkeypatch.setattr("masthead.paywall.services.gate", leaky_gate)
    return site


@pytest.fixture
def unreachable(settings, make_article):
    """A site with something to audit whose public address answers nothing."""
    make_article(access="subscribers", body_html=paragraphs("Exclusive"), slug="exclusive")
    settings.MASTHEAD_SITE_URL = f"http://127.0.0.1:{free_port()}"
    return settings.MASTHEAD_SITE_URL


@pytest.fixture
def publisher(staff):
    """A publisher with an address, and around them who else may or may not get the alert."""
    user = staff("publisher", PUBLISHERS)
    user.email = "publisher@example.com"
    user.save()
    User.objects.create_superuser("owner", "owner@example.com", "an owner's password")
    staff("no-address", PUBLISHERS)  # a publisher without an address: nothing to send to
    editor = staff("editor", EDITORS)
    editor.email = "editor@example.com"  # the newsroom, not the business: no alert
    editor.save()
    former = staff("former", PUBLISHERS)
    former.email = "former@example.com"
    former.is_active = False  # gone: no alert
    former.save()
    return user


def leak_monitor_box(client) -> str:
    """The leak monitor's box on the admin index, as the signed-in user sees it."""
    response = client.get("/admin/")
    assert response.status_code == 200
    found = re.search(r'<section class="module leak-monitor[^"]*" id="leak-monitor".*?</section>', response.text, re.S)
    assert found, "no leak monitor box on the admin index"
    return found.group(0)


def test_a_planted_leak_shows_on_the_admin_index_and_is_mailed_to_every_publisher(leaky_site, publisher, client):
    run = monitor_leaks()

    assert run.base_url == leaky_site.url and not run.error and run.pages_not_shown == 0
    roads = {road.road: road for road in run.roads.all()}
    assert run.roads_checked == len(roads) >= 15  # every road, leaking or not
    assert all(road.responses > 0 for road in roads.values())
    assert roads["GET page"].leaks > 0
    assert "GET page /politics/exclusive/: exclusive block " in roads["GET page"].detail
    assert roads["GET print view"].leaks > 0
    assert roads["HEAD page"].responses > 0 and roads["HEAD page"].leaks == 0  # a HEAD has no body to leak
    assert run.leaks_found == sum(road.leaks for road in roads.values()) > 0

    client.force_login(publisher)
    box = leak_monitor_box(client)
    assert f'<dd class="roads-checked">{run.roads_checked}</dd>' in box
    assert f'<dd class="leaks-found leaks-found-alarm">{run.leaks_found}</dd>' in box  # red
    assert "leak-monitor-alarm" in box
    assert f"GET page: {roads['GET page'].leaks} leaks" in box  # the leaking roads, listed
    assert f"GET print view: {roads['GET print view'].leaks} leaks" in box
    assert "HEAD page" not in box  # ... and only those
    assert f'href="{RUNS}"' in box and f'href="{RUNS}{run.pk}/change/"' in box

    # The run in the admin: every road with what it found, and nothing to edit.
    page = client.get(f"{RUNS}{run.pk}/change/").text
    assert "GET page /politics/exclusive/: exclusive block " in page and "HEAD page" in page
    assert 'name="_save"' not in page

    assert sorted(message.to[0] for message in mail.outbox) == ["owner@example.com", "publisher@example.com"]
    message = mail.outbox[0]
    assert message.subject == f"Paywall leak: {run.leaks_found} leaks found on {leaky_site.url}"
    assert f"by {run.roads_checked} roads" in message.body
    assert f"GET page: {roads['GET page'].leaks} leaks" in message.body
    assert "GET page /politics/exclusive/: exclusive block " in message.body
    assert f"{leaky_site.url}{RUNS}{run.pk}/change/" in message.body


def test_the_alert_arrives_over_smtp_when_cron_runs_the_command(leaky_site, publisher, client, settings):
    with smtp_server() as (mailbox, port):
        settings.MAILERS = smtp_mailers(port)
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(SystemExit) as exit_:
            call_command("monitor_leaks", stdout=out, stderr=err)
        messages = mailbox.wait_for(2)
    assert exit_.value.code == 1, out.getvalue() + err.getvalue()  # cron sees the failure too
    run = AuditRun.objects.get()
    assert f"{run.roads_checked} roads checked, {run.leaks_found} leak(s) found" in out.getvalue()
    assert "Paywalled text was served" in err.getvalue()

    assert sorted(message["To"] for message in messages) == ["owner@example.com", "publisher@example.com"]
    message = messages[0]
    assert message["Subject"] == f"Paywall leak: {run.leaks_found} leaks found on {leaky_site.url}"
    text = Mailbox.text(message)
    assert "GET page /politics/exclusive/: exclusive block " in text
    link = re.search(re.escape(leaky_site.url) + r"(/admin/\S+)", text).group(1)
    client.force_login(publisher)
    assert "GET page /politics/exclusive/" in client.get(link).text  # the link leads to the run
    assert not mail.outbox  # nothing went to the in-memory outbox instead


def test_a_clean_run_from_the_task_shows_no_leak_and_mails_nobody(site, publisher, client):
    result = monitor_leaks_task.enqueue()

    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    run = AuditRun.objects.get(pk=result.return_value)
    assert run.articles == 7 and run.roads_checked >= 15 and not run.error
    assert run.roads.get(road="GET page").responses > 0 and run.pages_not_shown == 0  # it saw the articles
    assert run.leaks_found == 0 and not run.roads.filter(leaks__gt=0).exists()

    client.force_login(publisher)
    box = leak_monitor_box(client)
    assert f'<dd class="roads-checked">{run.roads_checked}</dd>' in box
    assert '<dd class="leaks-found">0</dd>' in box
    assert "leak-monitor-alarm" not in box and "leaking-roads" not in box

    assert publisher_addresses() == ["owner@example.com", "publisher@example.com"]  # someone to mail
    assert mail.outbox == []


def test_an_unreachable_site_is_kept_with_its_error_and_mailed(unreachable, publisher, client):
    run = monitor_leaks()

    assert run.error.startswith(f"cannot reach {unreachable}/")
    assert run.roads_checked == 0 and run.leaks_found == 0 and not run.roads.exists()
    client.force_login(publisher)
    box = leak_monitor_box(client)
    assert "The audit could not run: cannot reach" in box and "leak-monitor-alarm" in box
    assert sorted(message.to[0] for message in mail.outbox) == ["owner@example.com", "publisher@example.com"]
    assert mail.outbox[0].subject == f"The leak monitor could not audit {unreachable}"
    assert f"cannot reach {unreachable}/" in mail.outbox[0].body


def test_the_command_hands_the_run_to_the_task_worker(unreachable, publisher, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out = io.StringIO()
    call_command("monitor_leaks", "--enqueue", stdout=out)
    assert "handed to the task backend" in out.getvalue() and "READY" in out.getvalue()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "masthead.insights.tasks.monitor_leaks_task"
    assert not AuditRun.objects.exists()  # nothing ran in the command

    # The worker runs it, and then the alert it queued (it takes the process's signals: given back after).
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    run = AuditRun.objects.get()
    assert run.error.startswith(f"cannot reach {unreachable}/")
    assert sorted(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("masthead.insights.tasks.monitor_leaks_task", "SUCCESSFUL"),
        ("masthead.insights.tasks.send_leak_alert", "SUCCESSFUL"),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == ["owner@example.com", "publisher@example.com"]


def test_runs_older_than_90_days_are_forgotten(clock, unreachable):
    old = AuditRun.objects.create(started_at=clock.now - dt.timedelta(days=90, seconds=1), base_url=unreachable)
    AuditRoadResult.objects.create(run=old, road="GET page", responses=9)
    kept = AuditRun.objects.create(started_at=clock.now - dt.timedelta(days=90), base_url=unreachable)
    AuditRoadResult.objects.create(run=kept, road="GET page", responses=9)
    assert AuditRoadResult.objects.filter(run=old).exists()

    run = monitor_leaks()

    assert run.started_at == clock.now
    assert set(AuditRun.objects.values_list("pk", flat=True)) == {kept.pk, run.pk}
    assert list(AuditRoadResult.objects.values_list("run_id", flat=True)) == [kept.pk]  # the old run's roads went too


def test_without_a_public_address_the_monitor_says_what_to_set(db, settings):
    earlier = AuditRun.objects.create(started_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), base_url="https://x.test")
    settings.MASTHEAD_SITE_URL = ""
    with pytest.raises(MonitorError, match="MASTHEAD_SITE_URL is not set"):
        monitor_leaks()
    with pytest.raises(CommandError, match="MASTHEAD_SITE_URL is not set"):
        call_command("monitor_leaks", stdout=io.StringIO())
    with pytest.raises(CommandError, match="http:// or https://"):
        call_command("monitor_leaks", "--base-url", "ftp://news.example.com", stdout=io.StringIO())
    assert list(AuditRun.objects.all()) == [earlier]  # no run was started


def test_the_box_is_for_publishers_and_says_when_nothing_ran(db, staff, client):
    client.force_login(staff("desk", EDITORS))
    index = client.get("/admin/").text
    assert "Site administration" in index or "Newsroom" in index  # the index itself
    assert 'id="leak-monitor"' not in index  # editors do not see the business's monitor

    client.force_login(staff("business", PUBLISHERS))
    box = leak_monitor_box(client)
    assert "The leak monitor has not run yet" in box and f'href="{RUNS}"' in box


def test_the_alert_and_the_box_speak_the_publications_language(clock, unreachable, publisher, client):
    publication = current_publication()
    publication.language, publication.time_zone = "ja", "Asia/Tokyo"
    publication.save()
    forget_site_settings()
    monitor_leaks()

    assert mail.outbox[0].subject == f"漏れ監視で {unreachable} を監査できませんでした"
    # 12:00 UTC on the fixed clock, in Tokyo's time.
    assert mail.outbox[0].body.startswith(f"漏れ監視で {unreachable} を 2026年11月15日21:00 に監査できませんでした：")
    client.force_login(publisher)
    box = leak_monitor_box(client)
    assert "漏れ監視" in box and "見つかった漏れ" in box and "監査を実行できませんでした" in box


@pytest.mark.parametrize(
    "query",
    ["started_at__year=x", "started_at__year=2026&started_at__month=13", "started_at__day=99", "o=x.y", "p=abc"],
)
def test_the_run_list_answers_hostile_queries_without_an_error(db, staff, client, query):
    run = AuditRun.objects.create(started_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), base_url="https://x.test")
    client.force_login(staff("business", PUBLISHERS))
    assert f"{RUNS}{run.pk}/change/" in client.get(RUNS).text  # the list shows the run
    response = client.get(f"{RUNS}?{query}")
    assert response.status_code in (200, 302, 400, 404), response.status_code
