import os

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from cases.services import attachments_add
from catalog.models import Service
from hub.env import local_caches, storage_from_url
from tests import flush, snapshot
from tests.factories import (
    create_case,
    create_company,
    create_user,
    subscribe,
    with_authenticator,
)
from tests.helpers import force_sign_in


def pytest_configure(config):
    # Importing settings writes nothing: the suite prepares VAR_DIR as `make run` does (the SQLite
    # test database lives there) and, without SECRET_KEY, uses the local key that makes.
    call_command("prepare", verbosity=0)
    flush.install()
    if not os.environ.get("SECRET_KEY"):
        django_settings.SECRET_KEY = django_settings.SECRET_KEY_FILE.read_text().strip()


# htmx logs a request the browser cancelled (the next navigation, a newer refresh) as errors:
# the cancelled load itself, as ERR_ABORTED below, is not a failure.
HTMX_ABORT_LOGS = ("htmx:sendAbort", "htmx:afterRequest")


@pytest.fixture
def make_user(db):
    return create_user


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Each test stores uploads in its own folder, so leftovers are its own.
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    # Deliver inside the request so mailoutbox sees it; the background path has its own test.
    settings.EMAIL_DELIVERY = "immediate"
    # Hashing strength is not under test; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # One server's defaults, whatever REDIS_URL the environment holds (query budgets count the
    # database session); the shared cache's own tests switch it on themselves.
    settings.CACHES = local_caches()
    settings.SESSION_ENGINE = "hub.sessions"
    settings.SESSION_CACHE_ALIAS = "default"
    settings.CATALOGUE_VERSION_CACHE = None
    settings.CELERY_BROKER_URL = ""  # mail after commit in-process; the tasks' tests use Redis
    # Attachments on the filesystem (UPLOAD_ROOT above), also when the suite runs without
    # tests.isolation; the S3 tests point them at a bucket of their own.
    # Only when it differs: a change of STORAGES also resets the static files' storage, which a
    # test may have patched.
    filesystem = storage_from_url("STORAGE_URL", "")
    if settings.STORAGES["attachments"] != filesystem:
        settings.STORAGES = {**settings.STORAGES, "attachments": filesystem}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the catalogue once; each test's transaction then rolls back to it."""
    with django_db_blocker.unblock():
        migrated = snapshot.filled_tables()
        call_command("load_catalogue", verbosity=0)
        snapshot.take(besides=migrated)


@pytest.fixture
def catalogue(db):
    # Transactional tests empty the database when they end: put the catalogue back for the
    # next one, as the rows first loaded (tests/snapshot.py).
    if not Service.objects.exists():
        snapshot.restore()


@pytest.fixture
def attach(customer, make_case):
    """attach(name, content): a file the customer attached to a case of theirs, as uploaded."""
    case = make_case(customer)

    def attach(name, content):
        (attachment,) = attachments_add(
            case=case, uploader=customer, files=[SimpleUploadedFile(name, content)]
        )
        return attachment

    return attach


@pytest.fixture
def make_company(catalogue):
    return create_company


@pytest.fixture
def company(make_company):
    return make_company()


@pytest.fixture
def other_company(make_company):
    return make_company(name="Rival Corp", plan="mdr-ultimate")


@pytest.fixture
def customer(make_user, company):
    user = make_user(email="yuki.sato@example.co.jp", full_name="佐藤 由紀", company=company)
    with_authenticator(user)
    return user


@pytest.fixture
def colleague(make_user, company):
    user = make_user(email="ken.tanaka@example.co.jp", full_name="田中 健", company=company)
    with_authenticator(user)
    return user


@pytest.fixture
def other_company_customer(make_user, other_company):
    user = make_user(email="mallory@rival.example", full_name="Mallory", company=other_company)
    with_authenticator(user)
    return user


@pytest.fixture
def signed_in_client(db):
    """Make a client signed in as a user, without walking the sign-in pages (tests not about
    signing in); each call gives a client of its own. Tests about signing in use log_in."""

    def sign_in(user, device=None):
        return force_sign_in(Client(), user, device)

    return sign_in


@pytest.fixture
def customer_client(signed_in_client, customer):
    return signed_in_client(customer)


@pytest.fixture
def operator(make_user):
    user = make_user(
        email="operator@eset.example", full_name="Olga Operator", is_staff=True, is_superuser=True
    )
    with_authenticator(user)
    return user


# Browser tests: Playwright drives Debian's Chromium (Playwright's own download is not used).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# How long a browser step and an auto-waiting `expect` wait, on a machine busy running the suite.
BROWSER_TIMEOUT_MS = 8000


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the Django test database calls
    # made by the test itself are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageProblems(list):
    """Console errors, uncaught exceptions and failed requests seen by a page."""


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser page (its own cookies) speaking `locale`; problems are recorded."""
    contexts = []

    def open_page(locale="ja-JP", java_script_enabled=True):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, java_script_enabled=java_script_enabled
        )
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.problems = PageProblems()
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and not m.text.startswith(HTMX_ABORT_LOGS)
                and page.problems.append(f"console: {m.text}")
            ),
        )
        page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
        page.on(
            "requestfailed",
            # ERR_ABORTED is a load cancelled by the next navigation, not a failure.
            lambda r: (
                r.failure != "net::ERR_ABORTED"
                and page.problems.append(f"failed: {r.url} {r.failure}")
            ),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and page.problems.append(f"HTTP {r.status}: {r.url}"),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def operator_client(signed_in_client, operator):
    """A client signed in as an operator (second factor passed), every admin right."""
    return signed_in_client(operator)


@pytest.fixture
def lite_services(company):
    """The guide's example company: MDR Lite with ESET Premium Support and ESET MDR."""
    return [subscribe(company, "premium-support"), subscribe(company, "mdr", included=10)]


@pytest.fixture
def make_case(catalogue):
    """Cases filed by a customer of any company: tests.factories.create_case."""
    return create_case
