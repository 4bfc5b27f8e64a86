"""The request log is one JSON line per request, and loading it changes nothing else in the process."""

import importlib
import json
import logging

import pytest

pytestmark = pytest.mark.django_db


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_each_request_is_logged_as_one_json_line(client):
    log = logging.getLogger("masthead.request")
    lines, level = Lines(), log.level
    log.addHandler(lines)
    log.setLevel(logging.INFO)
    try:
        assert client.get("/healthz").status_code == 200
    finally:
        log.removeHandler(lines)
        log.setLevel(level)
    (line,) = lines.lines
    entry = json.loads(line)
    assert entry["method"] == "GET" and entry["path"] == "/healthz" and entry["status"] == 200


def test_loading_the_middleware_leaves_logging_as_python_sets_it():
    importlib.import_module("masthead.core.logging")  # if it set process-wide flags, they are set by now
    assert logging.logThreads and logging.logProcesses and logging.logMultiprocessing and logging.logAsyncioTasks
