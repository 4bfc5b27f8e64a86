"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py masthead.wsgi`."""

import multiprocessing
import os
from pathlib import Path

bind = os.environ.get("MASTHEAD_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
max_requests = 20000  # recycle workers now and then; memory is flat, this is a belt to the braces
max_requests_jitter = 2000
timeout = 30
graceful_timeout = 20
control_socket_disable = True
accesslog = None  # Masthead logs one JSON line per request itself
errorlog = "-"


def on_starting(server):
    """Empty PROMETHEUS_MULTIPROC_DIR before the workers start: an earlier run's counts would add to theirs."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()
