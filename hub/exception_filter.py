"""What the DEBUG error page (and any error report) may show of the settings."""

import re

from django.views.debug import SafeExceptionReporterFilter


class ExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, also hiding every setting named like a URL or a LOCATION: addresses of
    services carry their passwords (REDIS_URL, CELERY_BROKER_URL, DATABASE_URL, a cache's
    LOCATION, a storage's endpoint_url), and a page shown by mistake must not hand them out.
    Django's own names (KEY, SECRET, PASS, TOKEN…) stay hidden as before."""

    hidden_settings = re.compile(
        rf"{SafeExceptionReporterFilter.hidden_settings.pattern}|URL|LOCATION", flags=re.I
    )
