from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.utils import timezone, translation

from accounts.services import has_second_factor


def _signed_in(request) -> bool:
    # A visitor's request (no signed-in session) never loads a user: the session alone says so.
    return SESSION_KEY in request.session and request.user.is_authenticated


class UserPreferencesMiddleware:
    """A signed-in user's own language and time zone apply to every page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request):
            user = request.user
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            timezone.activate(user.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class SecondFactorMiddleware:
    """A session that never passed the second factor (the one opened by registration) ends as
    soon as its user has a confirmed device: from then on every sign-in needs the code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request):
            user = request.user
            if not user.is_verified() and has_second_factor(user):
                logout(request)
                return redirect("accounts:login")
        return self.get_response(request)
