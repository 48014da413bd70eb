import itertools
import os

import pytest

from accounts.models import User

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


@pytest.fixture
def operator(make_user):
    return make_user(email="operator@eset.example", full_name="Olga Operator", is_staff=True)


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
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ja-JP")
    page = context.new_page()
    page.problems = PageProblems()
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and page.problems.append(f"HTTP {r.status}: {r.url}"),
    )
    yield page
    context.close()


@pytest.fixture
def operator_client(client, operator):
    """A client logged in as an operator with every admin permission."""
    operator.is_superuser = True
    operator.save()
    client.force_login(operator)
    return client
