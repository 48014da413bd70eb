import contextlib
import json
import logging
import re
import sys

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.signals import got_request_exception
from django.http import HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from hub import errors
from hub.outages import is_outage

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


def _remember_outage(sender, request=None, **kwargs):
    # Django turns an exception raised in any middleware layer into a 500 response before it
    # reaches the layer around it, and only announces it with this signal (raised inside the
    # `except`, so sys.exc_info() still holds it). Noted here, answered by the middleware.
    exception = sys.exc_info()[1]
    if request is not None and is_outage(exception):
        request.outage = exception


got_request_exception.connect(_remember_outage, dispatch_uid="hub.middleware.outage")


class DatabaseBusyMiddleware:
    """A database that stays locked or away past its timeout, Redis or the object store away
    (hub.outages.is_outage), or a full disk, answers a clear 503 "try again", never a 500, and
    shows back what the person typed so that nothing is lost. With REDIS_URL the sessions live
    in Redis: without it nobody can be recognised, so "try again" is the honest answer.

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


# NUL and lone surrogates are never part of what a person types or a link holds. PostgreSQL
# refuses NUL in text outright (a 500 wherever such a value reaches a query) and no database
# can store a lone surrogate, so a request carrying either is refused before any view runs.
UNSAFE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
REFUSED_UNSAFE = _(
    "The address or the form contained characters that cannot be used, such as NUL "
    "characters. Nothing was saved."
)
REFUSED_UNREADABLE = _("The request could not be read. Nothing was saved.")


def _strings(value):
    """Every string in a parsed JSON document, keys included; iterative, so depth is no risk."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class UnsafeInputMiddleware:
    """Refuses, with a translated 400 page (or a JSON error for JSON callers), any request whose
    path, query, headers, form fields, file names or JSON strings hold NUL or a lone surrogate,
    and any body that cannot be parsed. Sits after the session and language layers, which read
    nothing but cookies, and before everything that queries with what the request says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            unsafe = any(UNSAFE_CHARACTERS.search(text) for text in self._texts(request))
        # UnreadablePostError: the body broke off (the connection reset), not a server fault.
        except (
            BadRequest,
            SuspiciousOperation,
            MultiPartParserError,
            RecursionError,
            UnreadablePostError,
        ) as error:
            logger.warning("unreadable request to %r: %s", request.path, error)
            if isinstance(error, RequestDataTooBig):
                return errors.too_large(request)
            return self._refuse(request, REFUSED_UNREADABLE)
        if unsafe:
            logger.warning("request to %r refused: NUL or lone surrogate", request.path)
            return self._refuse(request, REFUSED_UNSAFE)
        return self.get_response(request)

    def _texts(self, request):
        yield request.path_info
        for key, values in request.GET.lists():
            yield key
            yield from values
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str):
                yield value
        content_type = request.content_type or ""
        if request.method == "POST" and content_type in FORM_TYPES:
            if content_type == FORM_TYPES[0] and self._fits_in_memory(request):
                # Read whole first, so that a view that reads the raw body still can.
                request.body  # noqa: B018
            for key, values in request.POST.lists():
                yield key
                yield from values
            for _name, files in request.FILES.lists():
                yield from (uploaded.name or "" for uploaded in files)
        elif content_type == "application/json" or content_type.endswith("+json"):
            try:
                document = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                return  # not JSON at all: the view answers that
            yield from _strings(document)

    @staticmethod
    def _fits_in_memory(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return length <= (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)

    @staticmethod
    def _refuse(request, message):
        wants_json = "application/json" in request.headers.get("Accept", "") or (
            (request.content_type or "").endswith("json")
        )
        if wants_json:
            return JsonResponse({"error": str(message)}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
