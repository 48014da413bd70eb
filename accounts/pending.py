"""A sign-in between the password and the second factor.

The password step never calls login(): it only remembers, for 10 minutes, who passed it.
Nothing but the second-factor pages reads this, so a half-signed-in session reaches nothing.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

import audit
from accounts import links
from accounts.models import User

SESSION_KEY = "pending_login"


def safe_next(request, candidate: str | None) -> str:
    """A path on this site, or the home page: never another host, never a bare word."""
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL_PATH


def start(request, user: User, next_url: str | None) -> None:
    request.session.cycle_key()
    # Links opened before someone signs in on this browser are not theirs to keep.
    links.forget_all(request)
    request.session[SESSION_KEY] = {
        "user_id": user.pk,
        "started": time.time(),
        "next": safe_next(request, next_url),
        # Changing the password ends sign-ins that were half-way through.
        "password": user.get_session_auth_hash(),
    }


def user(request) -> User | None:
    """Who passed the password step, if it was less than 10 minutes ago."""
    state = request.session.get(SESSION_KEY)
    if not state:
        return None
    if time.time() - state["started"] > settings.PENDING_LOGIN_SECONDS:
        del request.session[SESSION_KEY]
        return None
    user = User.objects.filter(pk=state["user_id"], is_active=True).first()
    if user is None or not constant_time_compare(state["password"], user.get_session_auth_hash()):
        del request.session[SESSION_KEY]
        return None
    return user


def finish(request, user: User, device) -> str:
    """Log in for real (a new session key) with the second factor marked; returns next URL."""
    state = request.session.pop(SESSION_KEY, {})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    audit.record(
        action=audit.Action.SIGN_IN, actor=user, subject=user, method=device._meta.model_name
    )
    next_url = state.get("next") or settings.LOGIN_REDIRECT_URL_PATH
    if user.is_staff and next_url == settings.LOGIN_REDIRECT_URL_PATH:
        return reverse("admin:index")  # operators work in the console
    return next_url


def expired(request) -> HttpResponse:
    """Back to the password step, saying why: the half sign-in lapsed or never began."""
    messages.info(request, _("Your sign-in expired or was not started. Please log in again."))
    return redirect("accounts:login")
