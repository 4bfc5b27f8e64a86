"""The WSGI application that production servers (deploy/serve) run."""

import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
_django = get_wsgi_application()


def application(environ, start_response):
    """Django's application; a whole (not streamed) response is handed over as one bytes object.

    Given Django's response object, the server iterates it through Python and then closes it; given a
    list, it writes the bytes at once. The response is closed here instead, as the server would have.
    """
    response = _django(environ, start_response)
    # Streams, files (FileResponse streams) and a server's own file wrapper (gunicorn's wsgi.file_wrapper,
    # which has no ``streaming``) are left to the server.
    if getattr(response, "streaming", True):
        return response
    try:
        return [response.content]
    finally:
        response.close()


# What is loaded now (Django, the URLconf and every view it imports) lives as long as the worker.
# Freezing it takes it out of the garbage collector's full passes, which otherwise stopped a worker
# for ~30 ms every few thousand requests (every request queued behind it waited too).
import_module(settings.ROOT_URLCONF)  # the URLconf imports the views now rather than on the first request
gc.collect()
gc.freeze()
