"""The DEBUG error page (and any error report) never shows a service's password: Redis, the
broker, a cache's LOCATION and the object store's options are masked like SECRET_KEY."""

import sys

import pytest
from django.test import RequestFactory
from django.views.debug import get_default_exception_reporter_filter, technical_500_response

PASSWORD = "hunter2-redis-pw"
REDIS = f"redis://:{PASSWORD}@redis.internal:6379/0"


@pytest.fixture
def services_with_passwords(settings):
    settings.REDIS_URL = REDIS
    settings.CELERY_BROKER_URL = REDIS
    settings.DATABASE_URL = f"postgres://hub:{PASSWORD}@db.internal/hub"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS},
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "cases.storage_s3.AttachmentS3Storage",
            "OPTIONS": {
                "bucket_name": "hub-files",
                "endpoint_url": f"https://minio:{PASSWORD}@minio.internal:9000",
                "location": f"attachments-{PASSWORD}",
            },
        },
    }


def test_it_masks_every_service_address_in_the_safe_settings(services_with_passwords):
    safe = get_default_exception_reporter_filter().get_safe_settings()
    assert PASSWORD not in repr(safe)
    masked = "********************"
    assert safe["REDIS_URL"] == safe["CELERY_BROKER_URL"] == safe["DATABASE_URL"] == masked
    assert safe["CACHES"]["default"]["LOCATION"] == masked
    options = safe["STORAGES"]["attachments"]["OPTIONS"]
    assert options["endpoint_url"] == options["location"] == masked
    assert options["bucket_name"] == "hub-files"  # the rest stays readable for debugging
    assert safe["SECRET_KEY"] == masked  # Django's own names are still hidden


def test_it_shows_no_password_on_the_debug_error_page(services_with_passwords, settings):
    settings.DEBUG = True
    request = RequestFactory().get("/cases/")
    try:
        raise RuntimeError("the page failed")
    except RuntimeError:
        response = technical_500_response(request, *sys.exc_info())
    page = response.content.decode()
    assert "the page failed" in page and "REDIS_URL" in page  # the page itself is there
    assert PASSWORD not in page
