"""Settings that would start but serve wrongly: refused by `manage.py check` and at start-up."""

from django.conf import settings
from django.core.checks import Error, register

# Caches whose entries live in one process: a session kept there outlives its sign-out in the
# other workers (gunicorn runs two), until it expires.
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register()
def cached_sessions_need_a_shared_cache(app_configs, **kwargs):
    if settings.SESSION_ENGINE != "hub.sessions.cached":
        return []
    alias = settings.SESSION_CACHE_ALIAS
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"SESSION_ENGINE hub.sessions.cached needs a cache every worker shares, "
            f"but cache {alias!r} is {backend}.",
            hint="Set the cache to Redis (django.core.cache.backends.redis.RedisCache), or "
            "keep the database store hub.sessions.",
            id="hub.E001",
        )
    ]
