"""Settings that would start but serve wrongly: refused by `manage.py check` and at start-up."""

from django.conf import settings
from django.core.checks import Error, register

# Caches whose entries live in one process: a session kept there outlives its sign-out in the
# other workers (gunicorn runs two), until it expires; a catalogue version bumped there is never
# seen by the others.
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def _not_shared(alias: str) -> str | None:
    """Why cache `alias` is not one that every worker shares, or None when it is."""
    if alias not in settings.CACHES:
        return f"there is no cache {alias!r}"
    backend = settings.CACHES[alias].get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return f"cache {alias!r} is {backend}"
    return None


@register()
def cached_sessions_need_a_shared_cache(app_configs, **kwargs):
    if settings.SESSION_ENGINE != "hub.sessions.cached":
        return []
    why = _not_shared(settings.SESSION_CACHE_ALIAS)
    if why is None:
        return []
    return [
        Error(
            f"SESSION_ENGINE hub.sessions.cached needs a cache every worker shares, but {why}.",
            hint="Set the cache to Redis (django.core.cache.backends.redis.RedisCache), or "
            "keep the database store hub.sessions.",
            id="hub.E001",
        )
    ]


@register()
def catalogue_version_needs_a_shared_cache(app_configs, **kwargs):
    alias = getattr(settings, "CATALOGUE_VERSION_CACHE", None)
    why = alias and _not_shared(alias)
    if not why:
        return []
    return [
        Error(
            f"CATALOGUE_VERSION_CACHE needs a cache every worker shares, but {why}: the "
            "other workers would never see an operator's catalogue edit.",
            hint="Set the cache to Redis, or CATALOGUE_VERSION_CACHE to None (each worker "
            "then keeps the catalogue CATALOGUE_CACHE_SECONDS at most).",
            id="hub.E002",
        )
    ]
