"""Slow down, then lock, repeated failed sign-in attempts, per account and per client address.

An attempt is counted *before* the password or code is checked, so a burst of parallel guesses
is counted in full; a success takes the attempt back. Budgets live in settings (THROTTLE_*).
Forms check passwords, codes and phrases through `guarded`, the one place that sequence is
written.
"""

import datetime as dt
import hashlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

import audit
from accounts.models import LoginThrottle, User, canonical_email

T = TypeVar("T")


@dataclass(frozen=True)
class Key:
    name: str
    slow_after: int
    lock_after: int


def account_key(kind: str, identifier: str) -> Key:
    digest = hashlib.sha256(canonical_email(identifier).encode()).hexdigest()[:40]
    return Key(f"{kind}:account:{digest}", **settings.THROTTLE_ACCOUNT)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the entry our own proxies added to
    X-Forwarded-For; None when that is not an IP address. Also what the audit trail records."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUSTED_PROXY_COUNT:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= settings.TRUSTED_PROXY_COUNT:
            address = hops[-settings.TRUSTED_PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_address(request) -> str:
    """The client as the throttle counts it: IPv6 clients per /64, which one customer usually
    owns."""
    address = client_ip(request)
    if address is None:
        return "unknown"
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def address_key(kind: str, request) -> Key:
    return Key(f"{kind}:address:{client_address(request)}", **settings.THROTTLE_ADDRESS)


def keys_for(kind: str, identifier: str, request) -> list[Key]:
    """The account's key and the client address's key for one kind of attempt."""
    return [account_key(kind, identifier), address_key(kind, request)]


def _blocked_until(row: LoginThrottle, key: Key, now: dt.datetime) -> dt.datetime | None:
    if row.last_failure_at is None:
        return None  # no failure recorded yet
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
    names = sorted(key.name for key in keys)
    with transaction.atomic():
        # Insert missing rows without racing (ON CONFLICT DO NOTHING), then lock them all,
        # always in the same order so that two attempts never wait on each other in a cycle.
        LoginThrottle.objects.bulk_create(
            [LoginThrottle(key=name) for name in names], ignore_conflicts=True
        )
        locked = {
            row.key: row
            for row in LoginThrottle.objects.select_for_update()
            .filter(key__in=names)
            .order_by("key")
        }
        rows = {}
        for key in keys:
            row = locked[key.name]
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
            # Reset rather than delete: a parallel attempt may be about to lock this row.
            LoginThrottle.objects.filter(key=key.name).update(failures=0, last_failure_at=None)
        else:
            LoginThrottle.objects.filter(key=key.name, failures__gt=0).update(
                failures=F("failures") - 1
            )


def locked_error(until: dt.datetime) -> ValidationError:
    when = formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")
    return ValidationError(
        _("Too many failed attempts. Try again after %(time)s."),
        code="throttled",
        params={"time": when},
    )


def attempted_by(kind: str, identifier: str) -> User | None:
    """Whose account an attempt was against: the password step knows an email, the later
    steps the user's id."""
    if kind == "password":
        return User.objects.filter(email=canonical_email(identifier)).first()
    return User.objects.filter(pk=identifier).first()


def guarded(kind: str, identifier: str, request, verify: Callable[[], T]) -> T:
    """Count an attempt against the account and the client address, then `verify`; a true
    answer takes the attempt back. While locked or slowed down, `verify` is not called: the
    attempt is refused with a ValidationError naming the unlock time (and the audit trail
    records the lock-out)."""
    keys = keys_for(kind, identifier, request)
    if until := begin_attempt(keys):
        # Kept as it happens: a refused attempt changes nothing, so has no transaction to join.
        person = attempted_by(kind, identifier)
        audit.record(
            action=audit.Action.LOCKED_OUT,
            actor=person,
            actor_email=identifier if kind == "password" else "",
            subject=person,
            step=kind,
            until=until,
        )
        raise locked_error(until)
    answer = verify()
    if answer:
        attempt_succeeded(keys)
    return answer
