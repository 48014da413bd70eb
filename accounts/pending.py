"""A sign-in between the password and the second factor.

The password step never calls login(): it only remembers, for 10 minutes, who passed it.
Nothing but the second-factor pages reads this, so a half-signed-in session reaches nothing.
"""

import time

from django.conf import settings
from django.contrib.auth import login
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from accounts.models import User

SESSION_KEY = "pending_login"


def safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL_PATH


def start(request, user: User, next_url: str | None) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "user_id": user.pk,
        "started": time.time(),
        "next": safe_next(request, next_url),
    }


def user(request) -> User | None:
    """Who passed the password step, if it was less than 10 minutes ago."""
    state = request.session.get(SESSION_KEY)
    if not state:
        return None
    if time.time() - state["started"] > settings.PENDING_LOGIN_SECONDS:
        del request.session[SESSION_KEY]
        return None
    return User.objects.filter(pk=state["user_id"], is_active=True).first()


def finish(request, user: User, device) -> str:
    """Log in for real (a new session key) with the second factor marked; returns next URL."""
    state = request.session.pop(SESSION_KEY, {})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    return state.get("next") or settings.LOGIN_REDIRECT_URL_PATH
