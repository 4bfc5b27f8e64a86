"""(F), the floor of ``make bench``: a real article page as constant bytes behind Django and the site's middleware.

``bench/run.py`` fetches the seed article once through Django's test client (a new anonymous reader of
the demo) and names the file in ``BENCH_FLOOR_PAGE``; it then serves the site's WSGI application with
``DJANGO_SETTINGS_MODULE=bench.floor_settings``, whose URLconf is this module. Every path answers
with those bytes, so a case's ratio to (F) says what its own work (session, reader, meter, decision,
the page) costs over what Django's handler and the middleware cost anyway.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import re_path

PAGE = Path(os.environ["BENCH_FLOOR_PAGE"]).read_bytes()


def constant_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE)


urlpatterns = [re_path(r"", constant_page, name="floor")]
