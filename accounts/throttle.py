"""Slow down, then lock, repeated failed sign-in attempts, per account and per client address.

An attempt is counted *before* the password or code is checked, so a burst of parallel guesses
is counted in full; a success takes the attempt back. Budgets live in settings (THROTTLE_*).
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import LoginThrottle


@dataclass(frozen=True)
class Key:
    name: str
    slow_after: int
    lock_after: int


def account_key(kind: str, identifier: str) -> Key:
    digest = hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:40]
    return Key(f"{kind}:account:{digest}", **settings.THROTTLE_ACCOUNT)


def address_key(kind: str, request) -> Key:
    address = request.META.get("REMOTE_ADDR", "unknown")
    return Key(f"{kind}:address:{address}"[:100], **settings.THROTTLE_ADDRESS)


def _blocked_until(row: LoginThrottle, key: Key, now: dt.datetime) -> dt.datetime | None:
    if row.failures >= key.lock_after:
        until = row.last_failure_at + dt.timedelta(seconds=settings.THROTTLE_LOCK_SECONDS)
    elif row.failures >= key.slow_after:
        delay = min(2 ** (row.failures - key.slow_after + 1), settings.THROTTLE_MAX_DELAY_SECONDS)
        until = row.last_failure_at + dt.timedelta(seconds=delay)
    else:
        return None
    return until if until > now else None


def begin_attempt(keys: list[Key]) -> dt.datetime | None:
    """Count one attempt against every key, or return when the caller may try again."""
    now = timezone.now()
    window = dt.timedelta(seconds=settings.THROTTLE_WINDOW_SECONDS)
    with transaction.atomic():
        rows = {}
        for key in keys:
            row, _ = LoginThrottle.objects.select_for_update().get_or_create(key=key.name)
            if row.last_failure_at and now - row.last_failure_at > window:
                row.failures = 0
                row.window_started_at = now
            rows[key] = row
        blocked = [until for key, row in rows.items() if (until := _blocked_until(row, key, now))]
        if blocked:
            return max(blocked)
        for row in rows.values():
            row.failures += 1
            row.last_failure_at = now
            row.save(update_fields=["failures", "last_failure_at", "window_started_at"])
    return None


def attempt_succeeded(keys: list[Key]) -> None:
    """A correct password or code: forget the account's failures, take back one per address."""
    for key in keys:
        if ":account:" in key.name:
            LoginThrottle.objects.filter(key=key.name).delete()
        else:
            LoginThrottle.objects.filter(key=key.name, failures__gt=0).update(
                failures=F("failures") - 1
            )
