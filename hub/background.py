"""Work that must not hold up the request that causes it: handed to a Celery worker when there
is a broker (REDIS_URL), else run on a thread of this process. Called after commit, so the
work sees the rows the request wrote."""

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def hand_off(
    task: Any, *args: Any, inline: Callable[..., Any], what: str
) -> threading.Thread | None:
    """`task.delay(*args)` with a broker, else `inline(*args)` on a thread (returned, so a
    test can wait for it). A broker that is away is logged, never raised: what was to be done
    waits in its row for the periodic retry (mail) or stays pending (previews)."""
    if settings.CELERY_BROKER_URL:
        try:
            task.delay(*args)
        except Exception:
            logger.exception("%s not handed to the task queue", what)
        return None
    thread = threading.Thread(target=_run_and_disconnect, args=(inline, args, what), daemon=True)
    thread.start()
    return thread


def _run_and_disconnect(function: Callable[..., Any], args: tuple, what: str) -> None:
    try:
        function(*args)
    except Exception:  # a fault here must not kill the process; the row waits
        logger.exception("background work on %s failed", what)
    finally:
        connections.close_all()  # this thread's own connections, not the request's
