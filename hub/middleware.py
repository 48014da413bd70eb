import contextlib
import errno
import logging
import sys

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

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


class _TextOnly(FileUploadHandler):
    """Parses a form for its text alone: every file is skipped unread and nothing is written."""

    def new_file(self, *args, **kwargs):
        raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None


def is_outage(exception) -> bool:
    """A fault of the surroundings, not of the code: the database locked, away or cut off, or
    a disk full. The person can only try again later, and must not lose what they typed."""
    if isinstance(exception, OperationalError | InterfaceError):
        return True
    return isinstance(exception, OSError) and exception.errno in (errno.ENOSPC, errno.EDQUOT)


def _remember_outage(sender, request=None, **kwargs):
    # Django turns an exception raised in any middleware layer into a 500 response before it
    # reaches the layer around it, and only announces it with this signal (raised inside the
    # `except`, so sys.exc_info() still holds it). Noted here, answered by the middleware.
    exception = sys.exc_info()[1]
    if request is not None and is_outage(exception):
        request.outage = exception


got_request_exception.connect(_remember_outage, dispatch_uid="hub.middleware.outage")


class DatabaseBusyMiddleware:
    """A database that stays locked or away past its timeout, or a full disk, answers a clear
    503 "try again", never a 500, and shows back what the person typed so that nothing is lost.

    It sits near the top of MIDDLEWARE so that it also covers the first query, which happens in
    the session, authentication and OTP layers, and the upload being received while the CSRF
    check reads the form. The page needs no database: no session, no user, no context processor.
    """

    KEPT_FIELDS = ("subject", "description", "body")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except Exception as exception:  # only with DEBUG_PROPAGATE_EXCEPTIONS
            if not is_outage(exception):
                raise
            return self.unavailable(request, exception)
        outage = getattr(request, "outage", None)
        if outage is not None and response.status_code == 500:
            return self.unavailable(request, outage)
        return response

    def process_exception(self, request, exception):
        # Raised by a view: answered here, before the inner layers' response handling.
        if not is_outage(exception):
            return None
        return self.unavailable(request, exception)

    def unavailable(self, request, exception):
        logger.warning("unavailable for %s: %r", request.path, exception, exc_info=exception)
        language = getattr(request, "LANGUAGE_CODE", None)
        with translation.override(language or translation.get_language_from_request(request)):
            content = render_to_string(
                "503.html",
                {"kept": self.typed(request), "PORTAL_NAME": settings.PORTAL_NAME},
            )
        response = HttpResponse(content, status=503)
        response["Retry-After"] = "5"
        response["Cache-Control"] = "private, no-store"  # it holds what the person typed
        return response

    def typed(self, request) -> list[str]:
        """The text fields of the failed form, read without touching the database or a disk."""
        if request.method != "POST":
            return []
        # An unread multipart body is parsed for its text alone; the files are dropped (the
        # upload handler would ask the database who is signing in). Once parsed, Django refuses
        # new handlers and request.POST holds what was read.
        with contextlib.suppress(AttributeError):
            request.upload_handlers = [_TextOnly(request)]
        try:
            data = request.POST
        except Exception:  # the body itself may be what failed: then there is nothing to show
            return []
        return [data[name] for name in self.KEPT_FIELDS if data.get(name)]
