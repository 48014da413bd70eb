"""The portal's own error pages, translated and in its layout, whatever answers with an error.

- 403 and 404: Django's own views find our 403.html and 404.html.
- 400 and 413: `bad_request` (handler400); a body over DATA_UPLOAD_MAX_MEMORY_SIZE is 413.
- 403 for a failed CSRF check: `csrf_failure` (CSRF_FAILURE_VIEW).
- 405 and 410: the bare responses of Django's decorators and views, given a page by
  `ErrorPageMiddleware`.
- 500: `server_error` (handler500), which needs no database; 503 is hub.middleware's.
Callers that speak JSON (the HUB Authenticator's API) get JSON, never a page.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or (
        (request.content_type or "").endswith("json")
    )


@requires_csrf_token
def bad_request(request, exception=None) -> HttpResponse:
    """handler400. Django's own renders 400.html without the request, so without the portal's
    name, the signed-in user's frame or their language; this one renders it as any page."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    if wants_json(request):
        return JsonResponse(
            {"error": _("The request could not be read. Nothing was saved.")}, status=400
        )
    return render(request, "400.html", status=400)


def too_large(request) -> HttpResponse:
    """413: a form or document larger than the portal reads into memory. Files are not counted
    (they are streamed to disk, with limits of their own that the form explains)."""
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if wants_json(request):
        return JsonResponse(
            {"error": _("The request is too large. Nothing was saved.")}, status=413
        )
    return render(request, "413.html", {"limit": limit}, status=413)


@requires_csrf_token
def csrf_failure(request, reason="") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page of another session, an expired one or a
    browser that refuses cookies. Django's reason is for the log, not for the person."""
    return render(request, "403.html", {"csrf_failed": True}, status=403)


def server_error(request) -> HttpResponse:
    """handler500. The fault may be the database itself, so the page reads nothing that needs
    it: no session, no user, no context processor, only the request's language (a cookie or
    Accept-Language, or the signed-in user's, already read before the fault)."""
    language = getattr(request, "LANGUAGE_CODE", None)
    with translation.override(language or translation.get_language_from_request(request)):
        content = render_to_string("500.html", {"PORTAL_NAME": settings.PORTAL_NAME})
    return HttpResponseServerError(content)


class ErrorPageMiddleware:
    """Gives the bare 405 and 410 responses (no body at all: `require_POST`, a class-based
    view's `http_method_not_allowed`, `HttpResponseGone`) the portal's page, keeping their
    headers (Allow). A response with a body of its own, such as an expired link's page, is
    left as it is. Last in MIDDLEWARE, so that the page knows the user and their language."""

    PAGES = {405: "405.html", 410: "410.html"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        template = self.PAGES.get(response.status_code)
        if template is None or response.streaming or response.content or wants_json(request):
            return response
        page = render(request, template, status=response.status_code)
        for header, value in response.headers.items():
            if header.lower() not in ("content-type", "content-length"):
                page[header] = value
        page.cookies = response.cookies
        return page
