import datetime as dt
import itertools
import os
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Company, User
from catalog.models import ContractPlan, Service

PASSWORD = "Correct-Horse-9-Battery"
_serial = itertools.count(1)


def subprocess_env(**extra):
    """The environment for a child process: ours, less test-only switches, plus `extra`."""
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {k: v for k, v in os.environ.items() if k not in dropped} | extra


@pytest.fixture
def make_user(db):
    def make(**fields):
        n = next(_serial)
        fields.setdefault("email", f"user{n}@example.com")
        fields.setdefault("full_name", f"User {n}")
        password = fields.pop("password", PASSWORD)
        return User.objects.create_user(password=password, **fields)

    return make


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Each test stores uploads in its own folder, so leftovers are its own.
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    # Deliver inside the request so mailoutbox sees it; the background path has its own test.
    settings.EMAIL_DELIVERY = "immediate"
    # Hashing strength is not under test; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the catalogue once; each test's transaction then rolls back to it."""
    with django_db_blocker.unblock():
        call_command("load_catalogue", verbosity=0)


@pytest.fixture
def catalogue(db):
    # Transactional tests empty the database when they end: reload for the next one.
    if not Service.objects.exists():
        call_command("load_catalogue", verbosity=0)


@pytest.fixture
def make_company(catalogue):
    def make(name="Example株式会社", plan="mdr-lite", **fields):
        return Company.objects.create(name=name, plan=ContractPlan.objects.get(code=plan), **fields)

    return make


@pytest.fixture
def company(make_company):
    return make_company()


@pytest.fixture
def other_company(make_company):
    return make_company(name="Rival Corp", plan="mdr-ultimate")


def totp_code(device, *, steps=0) -> str:
    """The code an authenticator app shows for this device now (or `steps` × 30 s away)."""
    at = time.time() + steps * device.step
    counter = int((at - device.t0) // device.step)
    return f"{hotp(device.bin_key, counter, digits=device.digits):06d}"


def with_authenticator(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="authenticator-app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery-codes", confirmed=True)
    for code in RECOVERY_CODES:
        static.token_set.create(token=code)
    return device


RECOVERY_CODES = ["abcd2345", "efgh6723", "ijkl2345"]


def log_in(client, user, *, password=PASSWORD) -> None:
    """Sign in as a person would: password, then the current code of the user's app."""
    response = client.post(reverse("accounts:login"), {"email": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post(reverse("accounts:two_factor"), {"code": totp_code(device)})
    assert response.status_code == 302, response.content.decode()[:2000]


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
def customer_client(client, customer):
    log_in(client, customer)
    return client


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


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the Django test database calls
    # made by the test itself are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
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
        context.set_default_timeout(8000)
        contexts.append(context)
        page = context.new_page()
        page.problems = PageProblems()
        page.on(
            "console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}")
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
def operator_client(client, operator):
    """A client signed in as an operator (password and second factor), every admin right."""
    log_in(client, operator)
    return client


def subscribe(company, service_code, *, days_left=300, included=None, used=0, started=100):
    from accounts.models import ServiceSubscription

    today = dt.date.today()
    return ServiceSubscription.objects.create(
        company=company,
        service=Service.objects.get(code=service_code),
        valid_from=today - dt.timedelta(days=started),
        valid_to=today + dt.timedelta(days=days_left),
        sub_services_included=included,
        sub_services_used=used,
    )


@pytest.fixture
def lite_services(company):
    """The guide's example company: MDR Lite with ESET Premium Support and ESET MDR."""
    return [subscribe(company, "premium-support"), subscribe(company, "mdr", included=10)]
