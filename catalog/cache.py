"""The parts of the catalogue that every page reads alike, kept in memory by each process.

Operators change the catalogue rarely, in the admin; the case pages and the case list read the
same stages, response targets and lists on every request. Each process keeps what it read:

- The process that writes the catalogue forgets at once (the signals of every catalogue model,
  CatalogQuerySet.update, migrations) and again when the write commits.
- Another process (gunicorn's other worker, another server) keeps its copy for
  CATALOGUE_CACHE_SECONDS at most. What it may show that long after an edit is harmless: a
  label before its renaming, a stage list without the stage just added, an entry just
  deactivated still offered in a list (choices are validated against the database). Nothing
  that grants or ends access is kept.
- With a cache that every process shares (CATALOGUE_VERSION_CACHE, Redis), a copy is kept
  only while the catalogue's version there is the one it was read at, and a write replaces
  that version when it commits: every process of every server reads the edit at once, for one
  cache read (about 0.1 ms) each time a list is asked for.
- Inside a transaction the copy is that transaction's own, read anew and dropped with it, and
  a transaction that changed the catalogue reads it from the database until it ends: a
  rolled-back edit (each test's rolled-back data too) never leaves lists behind.

Kept objects are shared by every request of the process: read them, never change them.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction

T = TypeVar("T")
logger = logging.getLogger(__name__)

# The catalogue's version in the shared cache: a random token, never a counter, so that a
# version lost (evicted, flushed) and made anew can never equal one a copy was read at.
VERSION_KEY = "catalogue:version"

_shared: dict[str, tuple[float, str | None, Any]] = {}
_transaction = threading.local()
# Set while the shared cache fails, so that an outage is logged once, not on every page.
_failing = threading.Event()


def _version() -> str | None:
    """The catalogue's version in the shared cache; None without one (CATALOGUE_VERSION_CACHE)
    or while it cannot be read: copies are then bounded by CATALOGUE_CACHE_SECONDS alone, as
    on a single server, rather than a page failing for a list that rarely changes."""
    if not settings.CATALOGUE_VERSION_CACHE:
        return None
    shared = caches[settings.CATALOGUE_VERSION_CACHE]
    try:
        version = shared.get(VERSION_KEY)
        if version is None:
            shared.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = shared.get(VERSION_KEY)
    except Exception as error:  # any backend's fault: Redis away, silent, refusing
        _shared_cache_failed(error)
        return None
    _shared_cache_answered()
    return version


def _replace_version() -> None:
    if not settings.CATALOGUE_VERSION_CACHE:
        return
    try:
        caches[settings.CATALOGUE_VERSION_CACHE].set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception as error:
        # The edit is saved; the other processes see it CATALOGUE_CACHE_SECONDS later at most.
        _shared_cache_failed(error)


def _shared_cache_failed(error: Exception) -> None:
    if not _failing.is_set():
        _failing.set()
        logger.warning("catalogue version unreadable, copies kept by time alone: %r", error)


def _shared_cache_answered() -> None:
    if _failing.is_set():
        _failing.clear()
        logger.info("catalogue version readable again")


def _fresh(since: float, version: str | None, now: float, current: str | None) -> bool:
    # The seconds still bound a copy with a version: an edit that bypasses the signals (SQL
    # typed in a database shell, a lost write to the cache) is seen that late, as without one.
    if now - since >= settings.CATALOGUE_CACHE_SECONDS:
        return False
    return current is None or version == current


def cached(name: str, load: Callable[[], T]) -> T:
    """What `load()` returns, kept under `name` as the module says."""
    now = time.monotonic()
    # Read before loading: an edit committed in between makes the copy old at once, not lost.
    current = _version()
    if connection.in_atomic_block:
        outermost = connection.atomic_blocks[0]
        # A function decorated with @transaction.atomic enters the same block object at every
        # call: its copy also expires, so a rolled-back call's lists live no longer than a
        # copy outside a transaction.
        if getattr(_transaction, "block", None) is not outermost or (
            _transaction.values is not None
            and not _fresh(_transaction.since, _transaction.version, now, current)
        ):
            _transaction.block, _transaction.values = outermost, {}
            _transaction.since, _transaction.version = now, current
        values = _transaction.values
        if values is None:  # this transaction changed the catalogue
            return load()
        if name not in values:
            values[name] = load()
        return cast(T, values[name])
    kept = _shared.get(name)
    if kept is not None and _fresh(kept[0], kept[1], now, current):
        return cast(T, kept[2])
    value = load()
    _shared[name] = (now, current, value)
    return value


def forget(**kwargs: Any) -> None:
    """The catalogue changed: drop what this process keeps (a receiver of any signal), and
    with a shared cache, what every process keeps once the change commits."""
    _shared.clear()
    if not connection.in_atomic_block:
        vars(_transaction).clear()
        _replace_version()
        return
    _transaction.block, _transaction.values = connection.atomic_blocks[0], None
    # Until the change commits, another thread may read and keep the lists it replaces.
    transaction.on_commit(_shared.clear)
    transaction.on_commit(_replace_version)
