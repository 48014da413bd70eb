"""Faults of the surroundings rather than of the code: what the portal answers with its 503
"try again" page (hub.middleware.DatabaseBusyMiddleware), keeping what the person typed."""

import errno
import sys

from django.db import InterfaceError, OperationalError


class Unavailable(Exception):
    """A service the portal stands on is away or refusing (the object store): raised, from
    its own error, by the code that talks to it, so that callers need not know its library."""


def _is_redis_fault(exception: BaseException) -> bool:
    # Looked up, not imported: a process that never imported redis (no REDIS_URL) cannot
    # have met its errors, and should not pay for loading it.
    module = sys.modules.get("redis.exceptions")
    if module is None or not isinstance(exception, module.RedisError):
        return False
    # Redis away or silent, but also answering and refusing: out of memory under noeviction
    # (OOM), a replica after a failover (READONLY), a failing snapshot (MISCONF), a full
    # client table. Only the errors of code misusing the client stay 500s.
    misuse = (module.DataError, module.PubSubError, module.WatchError, module.LockError)
    return not isinstance(exception, misuse)


def is_outage(exception) -> bool:
    """The database locked, away or cut off; Redis (cache, sessions) away, silent or refusing
    writes; the object store away or refusing; a disk full. The person can only try again
    later, and must not lose what they typed."""
    if isinstance(exception, OperationalError | InterfaceError | Unavailable):
        return True
    if _is_redis_fault(exception):
        return True
    return isinstance(exception, OSError) and exception.errno in (errno.ENOSPC, errno.EDQUOT)
