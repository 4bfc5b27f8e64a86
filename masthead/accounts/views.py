"""Sign up, sign in, sign out."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from masthead.paywall.services import meter_merge_on_signin

from . import services
from .forms import SignInForm, SignUpForm


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.reader_create(email=form.cleaned_data["email"], password=form.cleaned_data["password"])
        meter_merge_on_signin(request, user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_safe_next(request))
    return render(request, "accounts/signup.html", {"form": form, "next": _safe_next(request)})


class SignInView(auth_views.LoginView):
    template_name = "accounts/signin.html"
    form_class = SignInForm

    def _ip(self) -> str:
        return self.request.META.get("REMOTE_ADDR", "")

    def post(self, request, *args, **kwargs):
        login_name = request.POST.get("username", "")
        if services.signin_blocked(ip=self._ip(), login=login_name):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many sign-in attempts. Please wait 15 minutes and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        services.signin_failed(ip=self._ip(), login=self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form):
        services.signin_succeeded(ip=self._ip(), login=form.get_user().get_username())
        meter_merge_on_signin(self.request, form.get_user())
        return super().form_valid(form)
