"""The WSGI application that production servers (deploy/serve) run."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
application = get_wsgi_application()

# What is loaded now (Django, the URLconf and every view it imports) lives as long as the worker.
# Freezing it takes it out of the garbage collector's full passes, which otherwise stopped a worker
# for ~30 ms every few thousand requests (every request queued behind it waited too).
get_resolver().url_patterns  # noqa: B018 -- imports the views now rather than on the first request
gc.collect()
gc.freeze()
