import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """Adds the headers Django 5.2 does not set itself: CSP and a strict permissions policy.

    The CSP allows no inline script anywhere, the admin included; a view that serves untrusted
    content (attachments) sets its own, stricter policy, which is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class DatabaseBusyMiddleware:
    """A database that stays locked or away past its timeout answers a clear 503 "try again",
    never a 500, and shows back what the person typed so that nothing is lost."""

    KEPT_FIELDS = ("subject", "description", "body")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable for %s: %s", request.path, exception)
        kept = [
            request.POST.get(name)
            for name in self.KEPT_FIELDS
            if request.method == "POST" and request.POST.get(name)
        ]
        response = render(request, "503.html", {"kept": kept}, status=503)
        response["Retry-After"] = "5"
        return response
