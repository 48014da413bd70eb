"""The session stores, refusing session keys Django never issues.

Django makes keys of 32 lowercase letters and digits; a forged cookie can hold anything, NUL
included, which PostgreSQL refuses with an error (a 500 on every page). A key of another shape
is treated as no session at all, before any query.

`hub.sessions` (this module) is the database store, the default: reading a session costs one
query (about 0.2 ms on SQLite, 0.3 ms on PostgreSQL). `hub.sessions.cached` puts a cache in
front of it, for a cache that every worker process shares (Redis): with a cache of each
process's own, a session signed out in one worker would live on in the others'.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class IssuedKeysOnly:
    def _validate_session_key(self, key: str | None) -> bool:
        # A private hook of SessionBase that django-stubs does not declare.
        valid = super()._validate_session_key(key)  # type: ignore[misc]
        return bool(valid and key and key.isascii() and key.isalnum())


class SessionStore(IssuedKeysOnly, DatabaseSessionStore):
    pass
