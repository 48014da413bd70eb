"""Services HUB settings: one file, every deployment value from the environment.

The README lists each variable. Defaults are safe for a laptop: SQLite under var/, mail written
to files, DEBUG off unless asked for. Importing this module reads the environment (and the
local secret key file, when there is one) and writes nothing: `manage.py prepare` makes var/.
"""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from hub.env import (
    SettingsError,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    local_caches,
    redis_caches,
    release_of_sources,
    storage_from_url,
)

# The folder of the hub package's parent: the checkout, or site-packages when installed. Only
# what ships in the packages is read from here; local state lives in VAR_DIR.
BASE_DIR = Path(__file__).resolve().parent.parent
# Local state: var/ of the checkout; an installed package has no checkout, so it must be told
# (never the working directory: started from / that would be the system's /var).
IN_CHECKOUT = (BASE_DIR / "manage.py").is_file()
if not env_str("VAR_DIR") and not IN_CHECKOUT:
    raise SettingsError(
        "VAR_DIR is not set: an installed Services HUB needs a folder for its database, "
        "uploads, mail and key (e.g. VAR_DIR=/srv/services-hub/var)."
    )
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var").absolute()
SECRET_KEY_FILE = VAR_DIR / "secret_key"

DEBUG = env_bool("DEBUG", False)


def _local_secret_key() -> str:
    # Without SECRET_KEY a machine keeps its own random key, so sessions survive restarts and no
    # shared default key exists to be leaked; `manage.py prepare` (make run, make serve) makes it.
    # Without either, Django refuses to sign anything. Deployments set SECRET_KEY.
    try:
        return SECRET_KEY_FILE.read_text().strip()
    except FileNotFoundError:
        return ""


SECRET_KEY = env_str("SECRET_KEY") or _local_secret_key()

# Trainer mode: demo data, an outbox page, an on-screen authenticator and a guided tour, for
# classes without real mail or phones. Off by default; never on a production server by accident.
DEMO_MODE = env_bool("DEMO_MODE", False)
if DEMO_MODE and not DEBUG and not env_bool("DEMO_ALLOW_PRODUCTION", False):
    raise SettingsError(
        "DEMO_MODE=1 with DEBUG off shows one-time links and codes on screen: "
        "set DEMO_ALLOW_PRODUCTION=1 as well if this server is really for a class."
    )
# `make bench` only: /bench/bare answers "ok" through every middleware, the reference that
# each page's speed is measured against. Off by default: the URL does not exist then.
BENCH_VIEWS = env_bool("BENCH_VIEWS", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PORTAL_NAME = env_str("PORTAL_NAME", "ESET Services HUB")

INSTALLED_APPS = [
    "hub.apps.HubAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before whitenoise's runserver, so that `make run` gets hub's (a deeper connection queue).
    "hub",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    # django-otp's device apps under our AppConfigs: their admin names are translated.
    "accounts.apps.AuthenticatorAppsConfig",
    "accounts.apps.RecoveryCodesConfig",
    "django_htmx",
    "template_partials",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "accounts",
    "companion",
    "catalog",
    "cases",
    "desk",
    "trainer",
    "audit",
]

MIDDLEWARE = [
    # First, so that every later layer and view can record where a change came from.
    "audit.middleware.AuditRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "hub.middleware.SecurityHeadersMiddleware",
    # Around everything that may query or write (session, sign-in, upload parsing, views): a
    # database or disk that fails answers 503 "try again" with the typed text, never a 500.
    "hub.middleware.DatabaseBusyMiddleware",
    # Around every layer that may read an upload: no temporary file outlives the request.
    "cases.uploads.UnfinishedUploadsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    # Before any view or query: NUL and lone surrogates anywhere in the request answer 400.
    "hub.middleware.UnsafeInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: the bare 405 and 410 responses of views get the portal's page (hub/errors.py).
    "hub.errors.ErrorPageMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hub" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hub.context_processors.portal",
                "trainer.context_processors.trainer",
            ],
        },
    },
]

# Database: embedded SQLite unless DATABASE_URL names a PostgreSQL server.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url("DATABASE_URL", DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            # Django's backend, noticing a database file deleted or replaced (hub/sqlite).
            "ENGINE": "hub.sqlite",
            "NAME": VAR_DIR / "db.sqlite3",
            # Kept across requests: opening one (its functions, the PRAGMAs below) cost 1.3 ms,
            # more than the queries of most pages. Safe here: each thread has its own, and
            # between requests it sits in autocommit, holding no lock and no WAL snapshot;
            # runserver still closes it after every request. The health check opens the name
            # again if its file was deleted or replaced; after an error Django rolls back as ever.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # Writers queue for the lock (busy timeout, in seconds) instead of failing,
                # and take it up front (IMMEDIATE) so a read-then-write never deadlocks.
                "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory: browser and concurrency tests share it across threads.
            "TEST": {"NAME": VAR_DIR / "test-db.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGIN_REDIRECT_URL_PATH = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.ComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Argon2id at OWASP's parameters (accounts/hashers.py); hashes of the others still verify and
# are stored again with the first at the next sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Sign-in. Budgets: a half-finished sign-in lives 10 minutes; per account, 5 failed passwords
# or codes in an hour start a growing delay and 10 lock it for 30 minutes; per client address
# the same happens at 20 and 50. Codes verify once, with at most one step of clock drift.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 7, minimum=1)
PASSWORD_RESET_TTL_MINUTES = env_int("PASSWORD_RESET_TTL_MINUTES", 60, minimum=5)
TERMS_VERSION = env_str("TERMS_VERSION", "2025-03")
PENDING_LOGIN_SECONDS = 600
THROTTLE_WINDOW_SECONDS = 3600
THROTTLE_ACCOUNT = {"slow_after": 5, "lock_after": 10}
THROTTLE_ADDRESS = {"slow_after": 20, "lock_after": 50}
THROTTLE_LOCK_SECONDS = 1800
THROTTLE_MAX_DELAY_SECONDS = 300
OTP_TOTP_ISSUER = PORTAL_NAME
OTP_TOTP_SYNC = False  # drift learning would widen the one-step tolerance over time
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
RECOVERY_CODE_COUNT = 10

# Cases: numbers are 8 digits, this plus the row id (00001001 is the first).
CASE_NUMBER_START = 1000
CASE_REOPEN_DAYS = env_int("CASE_REOPEN_DAYS", 14)
CHATTER_PAGE_SIZE = 30
CHATTER_POLL_SECONDS = 10
CASE_LIST_PAGE_SIZE = 25
# Attachments: streamed to disk (never whole in memory), checked against the allow-list by
# their content, stored under generated names in UPLOAD_ROOT.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 100 * 1024 * 1024, minimum=1)
ATTACHMENT_MAX_FILES = env_int("ATTACHMENT_MAX_FILES", 20, minimum=1)
# The handler refuses before writing: nothing for a request that is not signed in, nothing
# past these limits. Django's own file count is the backstop one file later, so that the
# handler, which explains itself, always speaks first (Django's answer is a bare 400).
FILE_UPLOAD_HANDLERS = ["cases.uploads.LimitedUploadHandler"]
DATA_UPLOAD_MAX_NUMBER_FILES = ATTACHMENT_MAX_FILES + 1
DISCOVER_SERVICES_URL = env_str(
    "DISCOVER_SERVICES_URL", "https://www.eset.com/int/business/services/"
)

# Languages: Japanese first (the source guide is Japanese), English complete too.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "ja")
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "hub" / "locale"]
# Our own date formats over Django's (hub/formats: 「2026年11月30日 9:01」 in Japanese).
FORMAT_MODULE_PATH = ["hub.formats"]
# The catalogue is data that operators may edit: load_catalogue reads it from here.
CATALOGUE_FIXTURES_DIR = BASE_DIR / "catalog" / "fixtures"
# How long another worker process may keep showing the catalogue as it was before an
# operator's edit (catalog/cache.py); the process that made the edit forgets at once. With a
# shared cache (CATALOGUE_VERSION_CACHE, below) every process forgets when the edit commits.
CATALOGUE_CACHE_SECONDS = 10
TIME_ZONE = env_str("TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

# Static files are ours (Bootstrap and htmx from packages), served by whitenoise: no CDN.
STATIC_URL = "/static/"
# collectstatic makes it; `manage.py prepare` too, as whitenoise warns at start-up without it.
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "hub" / "static"]

# Uploads live under var/ and have no public URL: only permission-checking views serve them.
UPLOAD_ROOT = Path(env_str("UPLOAD_ROOT", str(VAR_DIR / "uploads")))
MEDIA_ROOT = UPLOAD_ROOT
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": UPLOAD_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "hub.static_storage.StaticStorage"},
    # Attachments: UPLOAD_ROOT/attachments/ by default; with STORAGE_URL=s3://bucket[/prefix]
    # an S3-compatible bucket, credentials from boto3's own chain (AWS_ACCESS_KEY_ID and
    # AWS_SECRET_ACCESS_KEY, or an instance role), never in the URL. See docs/deploy.md.
    "attachments": storage_from_url("STORAGE_URL", env_str("STORAGE_URL")),
}

# Mail: written to files under var/mail unless an SMTP server is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# How long a sender's claim on an outbox row holds (hub/emails.py): longer than any real send,
# an SMTP exchange being about ten round trips of at most EMAIL_TIMEOUT each. A sender that died
# leaves its email to the others only when this runs out.
EMAIL_CLAIM_LEASE_SECONDS = env_int("EMAIL_CLAIM_LEASE", max(300, 20 * EMAIL_TIMEOUT), minimum=1)
if EMAIL_CLAIM_LEASE_SECONDS < 20 * EMAIL_TIMEOUT:
    raise SettingsError(
        f"EMAIL_CLAIM_LEASE={EMAIL_CLAIM_LEASE_SECONDS} must be at least 20 × EMAIL_TIMEOUT "
        f"({20 * EMAIL_TIMEOUT}): a shorter claim runs out while a slow send is still going, "
        "and a second sender sends the same email again."
    )
# "background": after commit, on a thread (the request never waits for the mail server);
# "immediate": inside the request, as the test suite wants.
EMAIL_DELIVERY = env_str("EMAIL_DELIVERY", "background")
# Sent emails keep only their envelope: bodies hold one-time links. Trainer mode keeps them.
OUTBOX_KEEP_BODIES = env_bool("OUTBOX_KEEP_BODIES", DEMO_MODE)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ESET Services HUB <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Tasks (hub/tasks.py, cases/tasks.py): with a broker, mail and housekeeping run on Celery
# workers (`make worker`) and beat schedules them (`make beat`); without one, mail is sent on a
# thread of the web process after commit and `make run` needs nothing else. No result backend:
# the outbox row is the record of what was sent.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Acknowledged when done, not when received: a worker killed mid-task leaves the message to be
# delivered again (the row's claim keeps that from sending twice); one message at a time each.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is away or stalls costs a request a few seconds at most, never its answer: the
# email's row waits for `retry_pending_email` (hub/emails.py deliver_after_commit). One retry.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# The longest a refused email's task waits for its next try (hub/tasks.py).
MAIL_BACKOFF_MAX_SECONDS = 1800
# Redis hands a message no worker acknowledged within the visibility timeout to another worker.
# A retry waiting its countdown and a task waiting out another sender's claim are unacknowledged
# on purpose, so the timeout must outlast both, or every such message would run twice.
BROKER_VISIBILITY_TIMEOUT = env_int("BROKER_VISIBILITY_TIMEOUT", 3600, minimum=1)
_longest_wait = max(MAIL_BACKOFF_MAX_SECONDS, EMAIL_CLAIM_LEASE_SECONDS)
if CELERY_BROKER_URL and _longest_wait >= BROKER_VISIBILITY_TIMEOUT:
    raise SettingsError(
        f"BROKER_VISIBILITY_TIMEOUT={BROKER_VISIBILITY_TIMEOUT} must be above "
        f"{_longest_wait} seconds: the longest wait "
        f"of a mail retry ({MAIL_BACKOFF_MAX_SECONDS}) and of an email's claim "
        f"(EMAIL_CLAIM_LEASE={EMAIL_CLAIM_LEASE_SECONDS}); a message left unacknowledged longer "
        "is handed to a second worker."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# How often beat retries unsent mail (an email left by a dead sender waits its claim's lease
# first); each run expires a little before the next is due.
MAIL_RETRY_SECONDS = env_int("MAIL_RETRY_SECONDS", 300, minimum=2)
# Each run expires before the next is due, so runs missed while workers were away never pile up.
CELERY_BEAT_SCHEDULE = {
    "retry-pending-email": {
        "task": "hub.tasks.retry_pending_email",
        "schedule": MAIL_RETRY_SECONDS,
        "options": {"expires": MAIL_RETRY_SECONDS - max(1, MAIL_RETRY_SECONDS // 30)},
    },
    "cleanup-uploads": {
        "task": "cases.tasks.cleanup_uploads",
        "schedule": 3600,
        "options": {"expires": 3500},
    },
    # Previews whose hand-off was lost (a broker away, a worker gone) are made after all.
    "sweep-previews": {
        "task": "cases.tasks.sweep_previews",
        "schedule": 600,
        "options": {"expires": 590},
    },
    "clear-expired-sessions": {
        "task": "hub.tasks.clear_expired_sessions",
        "schedule": 86400,
        "options": {"expires": 86000},
    },
    # Monthly: next year's national holidays are in the support calendar long before January.
    "load-holidays": {
        "task": "desk.tasks.load_holidays",
        "schedule": 30 * 86400,
        "options": {"expires": 86400},
    },
}

# Security. HTTPS=1 in production turns on secure cookies, redirects and HSTS.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
# How many proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR), so that
# throttling counts real client addresses rather than the proxy's.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# Cache and sessions. Without REDIS_URL (`make run`, one server): each process's own memory
# for kept markup, sessions in the database (hub.sessions: a forged cookie of another shape
# never reaches a query). With it (more than one server): Redis for both, the sessions read
# through it and kept in the database too (hub.sessions.cached, Django's cached_db), so a
# sign-in on one server holds on the others and a sign-out ends it everywhere at once
# (hub/checks.py refuses that store on a cache of each process's own). Kept markup stays in
# each process's memory either way (hub/env.py FRAGMENTS_CACHE). The default cache's keys start
# with RELEASE: a deploy sets it, e.g. to `git describe`; unset, it is derived from the code
# and templates being served. Throttling stays in the
# database, which every server shares already (docs/wip-issue-15.md, "cache").
if env_str("REDIS_URL"):
    RELEASE = env_str("RELEASE") or release_of_sources(BASE_DIR)
    CACHES = redis_caches("REDIS_URL", env_str("REDIS_URL"), release=RELEASE)
    SESSION_ENGINE = "hub.sessions.cached"
    SESSION_CACHE_ALIAS = "shared"
    # Every server sees an operator's catalogue edit when it commits (catalog/cache.py).
    CATALOGUE_VERSION_CACHE: str | None = "shared"
else:
    RELEASE = env_str("RELEASE")
    CACHES = local_caches()
    SESSION_ENGINE = "hub.sessions"
    CATALOGUE_VERSION_CACHE = None
CSRF_COOKIE_HTTPONLY = True
# The DEBUG error page hides service addresses too: they carry passwords (REDIS_URL…).
DEFAULT_EXCEPTION_REPORTER_FILTER = "hub.exception_filter.ExceptionReporterFilter"
CSRF_FAILURE_VIEW = "hub.errors.csrf_failure"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=60)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No line written by the app or by runserver carries a one-time link (hub/logs.py).
    "filters": {"redact_secrets": {"()": "hub.logs.RedactSecretsFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
