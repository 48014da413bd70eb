"""The database session store read through the cache named by SESSION_CACHE_ALIAS (Django's
cached_db), refusing forged keys as `hub.sessions` does. Only for a cache that every worker
shares: see hub/sessions/__init__.py."""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseStore

from hub.sessions import IssuedKeysOnly


class SessionStore(IssuedKeysOnly, CachedDatabaseStore):
    pass
