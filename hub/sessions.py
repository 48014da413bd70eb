"""The database session store, refusing session keys Django never issues.

Django makes keys of 32 lowercase letters and digits; a forged cookie can hold anything, NUL
included, which PostgreSQL refuses with an error (a 500 on every page). A key of another shape
is treated as no session at all, before any query.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        # A private hook of SessionBase that django-stubs does not declare.
        valid = super()._validate_session_key(key)  # type: ignore[misc]
        return bool(valid and key and key.isascii() and key.isalnum())
