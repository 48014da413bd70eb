"""The database session store read through the cache named by SESSION_CACHE_ALIAS (Django's
cached_db), refusing forged keys as `hub.sessions` does. Only for a cache that every worker
shares: see hub/sessions/__init__.py.

The cached copy never disagrees with the database's row. Django's cached_db writes the row and
then the copy, logging a copy it could not write: a Redis that refuses writes (out of memory,
a read-only replica) kept serving the copy from before the change, so a sign-out or a "shown
once" page (recovery codes) was undone on the next request. Here the copy is removed first: a
Redis that refuses that stops the request (503, "try again") before anything changed, and a
copy that cannot be written afterwards is simply missing, read again from the row next time.
"""

import contextlib
import logging
from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseStore
from django.core.cache.backends.base import BaseCache

from hub.sessions import IssuedKeysOnly

logger = logging.getLogger(__name__)


class SessionStore(IssuedKeysOnly, CachedDatabaseStore):
    # Set and kept by Django's stores; django-stubs does not declare them.
    _cache: BaseCache
    _session: dict[str, Any]

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()  # a new key, saved with must_create: nothing cached under it
        if not must_create:
            self._cache.delete(self.cache_key)  # raises while Redis refuses: nothing changed yet
        super(CachedDatabaseStore, self).save(must_create)  # the row, as the database store
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception as error:
            # The row holds the change and no copy is left (removed above): the page goes on,
            # and the next request reads the row. Raising would answer "try again" for a change
            # that was made: told to retry, a person makes a second set of recovery codes
            # without having seen the first.
            logger.warning("session saved, not cached: %r", error)
            # Removed again in case a parallel request cached the old row in between.
            with contextlib.suppress(Exception):
                self._cache.delete(self.cache_key)
        return None

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        key = self.cache_key_prefix + session_key
        self._cache.delete(key)  # raises while Redis refuses: the session is still whole
        super(CachedDatabaseStore, self).delete(session_key)
        # A parallel request may have cached the row between the two deletes: a signed-out
        # session must not live on in Redis.
        self._cache.delete(key)
