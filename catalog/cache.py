"""The parts of the catalogue that every page reads alike, kept in memory by each process.

Operators change the catalogue rarely, in the admin; the case pages and the case list read the
same stages, response targets and lists on every request. Each process keeps what it read:

- The process that writes the catalogue forgets at once (the signals of every catalogue model,
  CatalogQuerySet.update, migrations) and again when the write commits.
- Another process (gunicorn's other worker) keeps its copy for CATALOGUE_CACHE_SECONDS at
  most. What it may show that long after an edit is harmless: a label before its renaming, a
  stage list without the stage just added, an entry just deactivated still offered in a list
  (choices are validated against the database). Nothing that grants or ends access is kept.
- Inside a transaction the copy is that transaction's own, read anew and dropped with it, and
  a transaction that changed the catalogue reads it from the database until it ends: a
  rolled-back edit (each test's rolled-back data too) never leaves lists behind.

Kept objects are shared by every request of the process: read them, never change them.
"""

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import connection, transaction

T = TypeVar("T")

_shared: dict[str, tuple[float, Any]] = {}
_transaction = threading.local()


def cached(name: str, load: Callable[[], T]) -> T:
    """What `load()` returns, kept under `name` as the module says."""
    now = time.monotonic()
    if connection.in_atomic_block:
        outermost = connection.atomic_blocks[0]
        # A function decorated with @transaction.atomic enters the same block object at every
        # call: its copy also expires, so a rolled-back call's lists live no longer than a
        # copy outside a transaction.
        if getattr(_transaction, "block", None) is not outermost or (
            _transaction.values is not None
            and now - _transaction.since >= settings.CATALOGUE_CACHE_SECONDS
        ):
            _transaction.block, _transaction.values = outermost, {}
            _transaction.since = now
        values = _transaction.values
        if values is None:  # this transaction changed the catalogue
            return load()
        if name not in values:
            values[name] = load()
        return cast(T, values[name])
    kept = _shared.get(name)
    if kept is not None and now - kept[0] < settings.CATALOGUE_CACHE_SECONDS:
        return cast(T, kept[1])
    value = load()
    _shared[name] = (now, value)
    return value


def forget(**kwargs: Any) -> None:
    """The catalogue changed: drop what this process keeps (a receiver of any signal)."""
    _shared.clear()
    if not connection.in_atomic_block:
        vars(_transaction).clear()
        return
    _transaction.block, _transaction.values = connection.atomic_blocks[0], None
    # Until the change commits, another thread may read and keep the lists it replaces.
    transaction.on_commit(_shared.clear)
