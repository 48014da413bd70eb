import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def test_it_refuses_cached_sessions_in_a_cache_of_each_process(settings):
    settings.SESSION_ENGINE = "hub.sessions.cached"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with pytest.raises(SystemCheckError, match=r"hub\.E001"):
        call_command("check")


def test_it_accepts_cached_sessions_in_a_shared_cache_and_the_database_store(settings):
    settings.SESSION_ENGINE = "hub.sessions.cached"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379",
        }
    }
    call_command("check")
    settings.SESSION_ENGINE = "hub.sessions"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    call_command("check")
