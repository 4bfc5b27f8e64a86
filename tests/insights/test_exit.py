"""A worker that stops writes the counts still in its memory: at interpreter exit, and as a forked worker ends.

Each test runs a real process on a database of its own (SQLite, migrated), records decisions with a
flushing interval of an hour (so only the exit can write them), lets the process end and reads the rows.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_deployment import manage

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import datetime as dt
import multiprocessing
import sys

import django

django.setup()
from django.core.management import call_command
from django.db import connections

call_command("migrate", verbosity=0)
from masthead.insights.recording import recorder
from masthead.paywall import hooks
from masthead.paywall.types import Decision, Message, Outcome, Reader, ReaderKind, Reason
from masthead.publishing.models import Article, ArticleStatus, Section
from masthead.publishing.services import article_save

now = dt.datetime(2026, 11, 15, 12, 0, tzinfo=dt.UTC)
section = Section.objects.create(name="News", slug="news")
article = article_save(
    article=Article(
        headline="H", slug="h", section=section, status=ArticleStatus.PUBLISHED, publish_at=now, body_html="<p>x</p>"
    )
)
grant = Decision(Outcome.FULL, Reason.METER_GRANTED, Message.NONE, None, True, 1, 3)


def read(times):
    for n in range(times):
        hooks.decided(hooks.DecisionEvent(article.pk, Reader(ReaderKind.ANONYMOUS, f"a:{n}"), grant, now))
    print("pending in", multiprocessing.current_process().name, sum(recorder.pending()[0].values()), flush=True)


if sys.argv[1] == "fork":
    connections.close_all()  # the child opens its own
    worker = multiprocessing.get_context("fork").Process(target=read, args=(2,), name="worker")
    worker.start()
    worker.join()
    print("worker exit code", worker.exitcode, flush=True)
else:
    read(3)
"""


def run(tmp_path: Path, mode: str) -> tuple[str, set[tuple]]:
    database = tmp_path / "exit.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "MASTHEAD_INSIGHTS_FLUSH_SECONDS": "3600",
        "MASTHEAD_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "masthead.settings",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(database) as db:
        found = set(db.execute("SELECT day, outcome, position, count FROM insights_decisioncount"))
    return result.stdout, found


def test_at_interpreter_exit_the_counts_in_memory_are_written(tmp_path):
    output, found = run(tmp_path, "exit")
    assert "pending in MainProcess 3" in output  # still in memory when the script ended
    assert found == {("2026-11-15", "meter_grant", 1, 3)}


def test_a_forked_worker_writes_its_counts_as_it_ends(tmp_path):
    # granian's workers are forked multiprocessing processes, which end with os._exit(): no atexit there.
    output, found = run(tmp_path, "fork")
    assert "pending in worker 2" in output
    assert "worker exit code 0" in output
    assert found == {("2026-11-15", "meter_grant", 1, 2)}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "MASTHEAD_INSIGHTS_FLUSH_SECONDS must be a whole number of at least 0, not '-1'"),
        ("five", "MASTHEAD_INSIGHTS_FLUSH_SECONDS must be a whole number of at least 0, not 'five'"),
        ("3601", "MASTHEAD_INSIGHTS_FLUSH_SECONDS must be at most 3600"),
    ],
)
def test_a_bad_flush_interval_stops_every_start_naming_the_variable(value, message):
    result = manage("check", DEBUG="1", MASTHEAD_INSIGHTS_FLUSH_SECONDS=value)
    assert result.returncode != 0
    assert message in result.stderr
