"""Sudo mode: security changes need the password, entered again in the last few minutes.

One decorator carries the policy for every such page (healthchecks' `require_sudo_mode` is the
model): the password page, the throttle, the stamp in the session and the window live here.
"""

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import PasswordConfirmForm

# When the password was last confirmed and for which page, in this session only. A
# confirmation opens one page and is spent by the change made there: confirming for one
# action never opens another (each security change asks for the password of its own).
SESSION_KEY = "password_confirmed_for"
# The password page's one field: a POST carrying it is an attempt at that page, never the
# guarded view's own form.
FIELD = "password"


def window_seconds() -> int:
    # As long as the password step of a sign-in stays valid (10 minutes by default).
    return settings.PENDING_LOGIN_SECONDS


def confirmed_at(request, path: str | None = None) -> float | None:
    """When the password was confirmed for `path` (this request's page by default)."""
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict) or held.get("path") != (path or request.path):
        return None
    return held.get("at")


def is_active(request, path: str | None = None) -> bool:
    """Was the password confirmed for this page in this session, within the window?"""
    stamp = confirmed_at(request, path)
    return stamp is not None and time.time() - stamp <= window_seconds()


def has_lapsed(request, path: str | None = None) -> bool:
    """Was the password confirmed for this page, but too long ago?"""
    return confirmed_at(request, path) is not None and not is_active(request, path)


def stamp(request) -> None:
    request.session[SESSION_KEY] = {"at": time.time(), "path": request.path}


def spend(request) -> None:
    """The change the confirmation was for is made: the next one asks again."""
    request.session.pop(SESSION_KEY, None)


def require_sudo_mode(view: Callable | None = None, *, title=None, action=None):
    """Call the view only with a fresh password confirmation; otherwise show the password page.

    A correct password stamps the session for this page only and sends the browser back to the
    same address with a GET: a POST that found the confirmation stale is never replayed. The
    view's first successful POST (answered with a redirect) spends the confirmation. Use below
    `@login_required`; `title` and `action` name the page's heading and button.
    """
    if view is None:
        return lambda view: require_sudo_mode(view, title=title, action=action)

    @wraps(view)
    @sensitive_post_parameters(FIELD)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if is_active(request):
            response = view(request, *args, **kwargs)
            if request.method == "POST" and response.status_code in (301, 302, 303):
                spend(request)  # a POST answered with a redirect is a change made
            return response
        attempt = request.method == "POST" and FIELD in request.POST
        form = PasswordConfirmForm(request, request.user, data=request.POST if attempt else None)
        if attempt and form.is_valid():
            stamp(request)
            return redirect(request.get_full_path())
        context = {
            "form": form,
            "title": title or _("Enter your password again"),
            "action": action or _("Continue"),
        }
        return render(request, "accounts/password_confirm.html", context)

    return wrapper
