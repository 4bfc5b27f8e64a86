from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import limiter, services


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=150)
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_email(self) -> str:
        # Whether the address already has an account is not said here: the page answers the same either
        # way, and the owner gets a mail instead (accounts.notices).
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password and cleaned.get("email"):
            user = get_user_model()(username=cleaned["email"], email=cleaned["email"])
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, whose old password is checked through ``authenticate()``, so the one password limiter
    counts a wrong one and refuses while locked out, as at sign-in."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) is None:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        limiter.password_confirmed(self.request, self.user)
        return old_password


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, sending at most a few reset mails to one address an hour (issue 10, finding 18).

    The page answers the same whether a mail went, so a refused one tells no one anything."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        if services.mail_allowed(kind="password-reset", address=to_email):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)
