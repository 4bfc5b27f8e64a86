"""The dashboard at ``/admin/insights/`` and its tables as CSV files, in the admin's look.

Thin: read the filters, ask ``dashboard`` for the tables this user may see, render. Anonymous visitors
go to the admin's sign-in; signed-in users without an insights permission get 403; bad filters get 400
with the reason.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override

from masthead.core import clock

from . import access, dashboard, export
from .filters import FilterForm, publication_today


def _insights_view(view):
    """Signed-in staff with an insights permission only; the view gets the audiences they belong to."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        allowed = access.audiences(request.user)
        if not allowed:
            raise PermissionDenied
        return view(request, allowed, *args, **kwargs)

    return never_cache(wrapped)


def _charts_styled(view):
    """The site's CSP, with the response's nonce also allowed for styles: each chart's own stylesheet."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        policy = dict(settings.SECURE_CSP)
        if not policy:
            return view(request, *args, **kwargs)
        policy["style-src"] = [*policy.get("style-src", [CSP.SELF]), CSP.NONCE]
        return csp_override(policy)(view)(request, *args, **kwargs)

    return wrapped


def _filter_form(request) -> FilterForm:
    return FilterForm(request.GET, today=publication_today(clock.now()))


def _page(request, context: dict, *, status: int = 200) -> HttpResponse:
    return render(request, "insights/dashboard.html", context, status=status)


@_charts_styled
@_insights_view
def dashboard_page(request, allowed):
    form = _filter_form(request)
    context = {
        **admin.site.each_context(request),
        "title": pgettext("insights", "Insights"),
        "form": form,
        "panels": [],
    }
    if not form.is_valid():
        return _page(request, context, status=400)
    filters = form.filters()
    shown = dashboard.tables(
        start=filters.start, end=filters.end, section=filters.section, now=clock.now(), audiences=allowed
    )
    try:
        dashboard.check_sort(shown, filters)
    except dashboard.UnknownSort:
        form.add_error(None, gettext("There is no such column to sort by."))
        return _page(request, context, status=400)
    nonce = get_nonce(request)
    context["panels"] = dashboard.panels(shown, filters, nonce=str(nonce) if nonce is not None else None)
    context["filters"] = filters
    return _page(request, context)


@_insights_view
def table_csv(request, allowed, slug: str):
    form = _filter_form(request)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors_text(), content_type="text/plain; charset=utf-8")
    filters = form.filters()
    choice = {"start": filters.start, "end": filters.end, "section": filters.section, "now": clock.now()}
    found = dashboard.tables(**choice, audiences=allowed, only=slug)
    if not found:
        if allowed != dashboard.EVERYONE and dashboard.tables(**choice, only=slug):
            raise PermissionDenied  # a table of the publishers'
        raise Http404
    table = found[0]
    if filters.sort:
        try:
            table = dashboard.sort_table(table, filters.sort, descending=filters.descending)
        except dashboard.UnknownSort:
            message = gettext("There is no such column to sort by.")
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{table.slug}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    export.write_csv(table, response)
    return response
