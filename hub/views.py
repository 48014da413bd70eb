import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from hub.emails import failing_emails

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def healthz(request):
    """For load balancers: 200 after a database round-trip, 503 when the database is away.

    `/healthz?mail` adds a line for monitors, `mail: 3 failing since 2026-11-30 01:02 UTC`
    (one indexed query), and still answers 200: a mail server that is away must not take the
    portal out of a load balancer's rotation.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        mail = f"{failing_emails()}\n" if "mail" in request.GET else ""
    except DatabaseError:
        logger.exception("health check: database unreachable")
        return HttpResponse("database unreachable\n", status=503, content_type="text/plain")
    return HttpResponse(f"ok\n{mail}", content_type="text/plain")


@require_POST
def set_language(request):
    """Django's language switch, remembered on the profile of a signed-in user too."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
