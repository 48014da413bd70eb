"""Read settings from the environment, failing loudly on nonsense.

Every helper raises ImproperlyConfigured naming the variable, so a typo in a deployment stops
start-up with one clear line instead of a traceback deep inside Django.
"""

import hashlib
import importlib.util
import os
import re
import sys
from importlib import metadata
from pathlib import Path
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


_REDIS_SCHEMES = {"redis", "rediss", "unix"}
# What a release identifier may hold: git describe's output (v1.4-3-gabc1234-dirty), an image
# tag, a commit hash. It becomes part of cache keys, so nothing else.
_RELEASE = re.compile(r"[A-Za-z0-9._+-]{1,64}")
# What kept markup is drawn from (release_of_sources): code, templates, compiled translations.
_RELEASE_SUFFIXES = {".py", ".html", ".txt", ".mo"}


LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"
# Markup kept by {% cache ... using="fragments" %} (a Chatter message, a file's row, the page
# head) stays in each process's memory even with Redis: its keys name everything it is drawn
# from (ids, times stored, names, language, time zone), so no server can serve a stale one, and
# a page of thirty messages would otherwise wait for thirty Redis round trips (~0.1-0.8 ms each
# against ~0.01 ms here: docs/benchmarks.md, shared run). A process starts with none after a
# deploy. About 2 KB each: 5,000 cost ~10 MB per worker at most.
FRAGMENTS_CACHE = {
    "BACKEND": LOCAL_MEMORY,
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
REDIS_CONNECT_TIMEOUT = 2
REDIS_TIMEOUT = 5


def redis_caches(name: str, url: str, *, release: str) -> dict:
    """The CACHES of a deployment with Redis at `url` (the variable `name`), in three aliases:

    - "default", whose keys start with the release, so that what Django or a library keeps
      there is drawn from one release's code; a server of the old release, still running
      during a rolling deploy, keeps to its own keys.
    - "shared", the same for every release: what must mean one thing to every server at once,
      whatever it runs (sessions, so that a sign-out on a new server ends the session on an
      old one too; the catalogue's version, catalog/cache.py).
    - "fragments", each process's own memory, as without Redis (`local_caches`).
    """
    try:
        scheme = urlsplit(url).scheme
    except ValueError as error:
        raise SettingsError(f"{name} is not a valid URL: {error}.") from None
    if scheme not in _REDIS_SCHEMES:
        raise SettingsError(
            f"{name} must start with redis://, rediss:// or unix:// (got scheme {scheme!r}); "
            "leave it unset for each process's own cache and the database's sessions."
        )
    if not _RELEASE.fullmatch(release):
        raise SettingsError(
            f"RELEASE={release!r} must be 1 to 64 letters, digits or . _ + - "
            "(as git describe or an image tag prints them)."
        )
    backend = "django.core.cache.backends.redis.RedisCache"
    # A Redis that accepts but never answers would hold every request (sessions need it): a
    # bound wait turns it into the outage page (hub/outages.py), as a refused connection is.
    options = {"socket_connect_timeout": REDIS_CONNECT_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": url,
            "KEY_PREFIX": f"hub:{release}",
            "OPTIONS": options,
        },
        "shared": {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": "hub", "OPTIONS": options},
        "fragments": FRAGMENTS_CACHE,
    }


def local_caches() -> dict:
    """The CACHES of one server without Redis: each process's own memory."""
    return {"default": {"BACKEND": LOCAL_MEMORY}, "fragments": FRAGMENTS_CACHE}


def release_of_sources(base_dir: Path, distribution: str = "services-hub") -> str:
    """An identifier of the code being served, for a deployment that sets no RELEASE: the
    package's version and a digest of its packages' code, templates and compiled catalogues,
    the same on every server that runs the same files (about 10 ms, at start-up only)."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        raise SettingsError(
            f"RELEASE is not set and the {distribution} package is not installed to derive "
            "it from: set RELEASE (e.g. to the output of git describe)."
        ) from None
    digest = hashlib.sha256()
    for top in sorted((dist.read_text("top_level.txt") or "").split()):
        package = base_dir / top
        if not (package / "__init__.py").is_file():
            continue
        for path in sorted(package.rglob("*")):
            if path.suffix in _RELEASE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base_dir)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return f"{dist.version}-{digest.hexdigest()[:12]}"


# What STORAGE_URL's query may set on the S3 backend (django-storages' option names).
_S3_OPTIONS = {"endpoint_url", "region_name", "addressing_style", "signature_version"}


def storage_from_url(name: str, url: str) -> dict:
    """STORAGES["attachments"]: the filesystem when `url` is empty, else an S3 bucket named
    as s3://bucket[/prefix][?endpoint_url=http://host:port&region_name=…&addressing_style=path].
    Credentials are not read from the URL: boto3 finds them (AWS_* variables, a role)."""
    if not url:
        return {"BACKEND": "cases.uploads.AttachmentFileStorage"}
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise SettingsError(f"{name} is not a valid URL: {error}.") from None
    if parts.scheme != "s3" or not parts.hostname:
        raise SettingsError(
            f"{name} must look like s3://bucket/prefix; leave it unset to keep attachments on "
            "the filesystem (UPLOAD_ROOT)."
        )
    if "@" in parts.netloc:
        raise SettingsError(
            f"{name} must not hold credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
        )
    if ":" in parts.netloc:
        # The name is a bucket's, not a server's: a port here would be dropped without a word.
        raise SettingsError(
            f"{name} names a bucket, which has no port: give the server as "
            "?endpoint_url=http://host:port."
        )
    options = dict(parse_qsl(parts.query))
    if unknown := set(options) - _S3_OPTIONS:
        raise SettingsError(
            f"{name} has unknown options {sorted(unknown)}; known: {sorted(_S3_OPTIONS)}."
        )
    if "endpoint_url" in options:
        _check_endpoint(name, options["endpoint_url"])
    if not all(importlib.util.find_spec(module) for module in ("storages", "boto3")):
        raise SettingsError(
            f"{name} names an S3 bucket, but the packages for it are not installed: "
            "pip install 'services-hub[s3]'."
        )
    prefix = unquote(parts.path).strip("/")
    return {
        "BACKEND": "cases.storage_s3.AttachmentS3Storage",
        # parts.hostname is lower-cased, as bucket names are.
        "OPTIONS": {"bucket_name": parts.hostname, "location": prefix or "attachments"} | options,
    }


def _check_endpoint(name: str, url: str) -> None:
    """An S3 server's address: http(s)://host[:port], without credentials (they would sit in
    every log and error page that shows the setting; boto3 reads them from its own chain)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as error:
        raise SettingsError(f"{name}'s endpoint_url is not a valid URL: {error}.") from None
    if "@" in parts.netloc:
        raise SettingsError(
            f"{name}'s endpoint_url must not hold credentials: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY."
        )
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SettingsError(
            f"{name}'s endpoint_url must look like https://host[:port] (got {url!r})."
        )
