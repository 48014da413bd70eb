"""Read settings from the environment, failing loudly on nonsense.

Every helper raises ImproperlyConfigured naming the variable, so a typo in a deployment stops
start-up with one clear line instead of a traceback deep inside Django.
"""

import os
import sys
from urllib.parse import parse_qsl, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SettingsError(ImproperlyConfigured):
    """A deployment value is wrong; the message names the variable."""


# The commands that may run before a secret key exists: `prepare` makes it.
KEYLESS_COMMANDS = {"prepare", "help", "--help", "-h", "version", "--version"}


def settings_or_exit(command: str | None = None) -> None:
    """Load the settings now; on a bad environment value print one line and stop.

    A server or command without a secret key stops here too, rather than answering every
    request with an error: `command` is the management command about to run, if any.
    """
    try:
        settings.INSTALLED_APPS  # noqa: B018 - touching a setting imports the module
    except SettingsError as error:
        sys.stderr.write(f"Configuration error: {error}\n")
        raise SystemExit(2) from None
    try:
        has_key = bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        has_key = False
    if not has_key and command not in KEYLESS_COMMANDS:
        sys.stderr.write(
            "Configuration error: SECRET_KEY is not set and VAR_DIR/secret_key is missing or "
            "empty: set SECRET_KEY, or run `manage.py prepare` to make a local key.\n"
        )
        raise SystemExit(2)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}

# Server settings for each PostgreSQL connection, given at connect (libpq's `options`), as
# measured on the generated data of `make bench`:
# - join_collapse_limit=4: the default (8) let the planner spend 4-12 ms ordering the case
#   page's thirteen-table join, which then ran in 0.3 ms; at 4 it plans in under 1 ms and no
#   query of the portal or the admin got slower.
# - jit=off: no query here costs enough to repay compiling it (none reaches jit_above_cost
#   today); one that crossed it would pay tens of milliseconds on every execution.
# - TimeZone=UTC: what Django sets when USE_TZ is on; given here, no connection needs a SET.
# A URL's own `?options=-c …` comes after these, so it wins.
SERVER_OPTIONS = "-c join_collapse_limit=4 -c jit=off -c TimeZone=UTC"


def database_from_url(name: str, url: str) -> dict:
    """Turn postgres://user:password@host:port/dbname?option=value into a DATABASES entry."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise SettingsError(f"{name} is not a valid URL: {error}.") from None
    if parts.scheme not in _POSTGRES_SCHEMES:
        raise SettingsError(
            f"{name} must start with postgres:// (got scheme {parts.scheme!r}); "
            "leave it unset for the embedded SQLite database."
        )
    db_name = unquote(parts.path.lstrip("/"))
    if not db_name or "/" in db_name:
        raise SettingsError(f"{name} must name one database, as in postgres://host/dbname.")
    if not parts.hostname and not parts.query:
        raise SettingsError(f"{name} must name a host, as in postgres://host/dbname.")
    options = dict(parse_qsl(parts.query))
    options["options"] = f"{SERVER_OPTIONS} {options.get('options', '')}".strip()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": db_name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "OPTIONS": options,
        # Each gunicorn worker serves one request at a time: one connection of its own, kept
        # for a minute and checked (one `SELECT 1`) before the first query of a request, is
        # all a pool would give it. A restarted server then costs no request an error.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # QuerySet.iterator(), which every ModelChoiceField's list uses, would otherwise open
        # a server-side cursor: DECLARE, FETCH, FETCH, CLOSE, four round trips for a dozen
        # rows. Nothing here iterates more rows than fit in memory.
        "DISABLE_SERVER_SIDE_CURSORS": True,
    }
