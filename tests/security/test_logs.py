"""No secret in any log line: the whole onboarding journey (invitation, registration, second
factor, sign-in, password reset) walked over HTTP against gunicorn as `make serve` starts it, with
access logging on and the app logging at DEBUG. Tokens, passwords, codes, the TOTP key, recovery
codes and session ids must appear in none of the lines written."""

import base64
import http.cookiejar
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django_otp.oath import totp

from hub.logs import redact
from tests.helpers import needs_checkout, subprocess_env

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Kasumi-Gaseki-2025!"
NEW_PASSWORD = "Toranomon-Hills-2026?"
EMAIL = "hanako.log@example.co.jp"


def test_it_masks_long_random_path_segments_only():
    line = 'GET /accounts/register/AbC_dEf-0123456789xyzQ/ HTTP/1.1" 200 "/cases/00001001/"'
    assert redact(line) == 'GET /accounts/register/[redacted]/ HTTP/1.1" 200 "/cases/00001001/"'
    assert redact("/static/hub/app.3f2a9b8c1d4e.css") == "/static/hub/app.3f2a9b8c1d4e.css"
    assert redact(r"refused: '/accounts/register/\x00yI5esA8NLozsmLL8e9BxLG7S5Hc/'") == (
        r"refused: '/accounts/register/\[redacted]/'"
    )
    assert redact("sessionid=k2v9q0x7m3n8b1c4z6l5j0h2g7f3d9s1") == "sessionid=[redacted]"
    kept = "violates accounts_user_email_unique_ci"
    assert redact(kept) == kept


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies, redirects, and the CSRF field of the last page."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.page = ""

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            self.page = response.read().decode()
            self.url = response.url
        return self.page

    def post(self, path, **fields):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.page).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            self.page = response.read().decode()
            self.url = response.url
        return self.page

    def path(self):
        return urllib.parse.urlsplit(self.url).path

    def session_ids(self):
        return {c.value for c in self.cookies if c.name in ("sessionid", "csrftoken")}


def manage(var, *args):
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=server_env(var),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def server_env(var):
    return subprocess_env(
        VAR_DIR=str(var),
        DEBUG="0",
        SECRET_KEY="log-test-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1",
        LOG_LEVEL="DEBUG",
        EMAIL_DELIVERY="immediate",
        DEMO_MODE="0",
    )


def mail_link(var, kind) -> str:
    """The newest link of this kind in the mail the file backend wrote."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        texts = [p.read_text() for p in sorted((var / "mail").glob("*"))]
        links = re.findall(rf"http://127\.0\.0\.1(/accounts/{kind}/[\w-]+/)", "\n".join(texts))
        if links:
            return links[-1]
        time.sleep(0.2)
    raise AssertionError(f"no {kind} link was mailed")


@pytest.fixture
def server(tmp_path):
    var = tmp_path / "var"
    manage(var, "prepare")  # as make serve does: VAR_DIR and its static folder
    manage(var, "migrate", "--noinput")
    manage(var, "load_catalogue")
    manage(
        var,
        "shell",
        "-c",
        "from accounts.models import Company; from catalog.models import ContractPlan; "
        "Company.objects.create(name='Log Co', plan=ContractPlan.objects.get(code='mdr-lite'))",
    )
    manage(var, "invite", "--email", EMAIL, "--name", "Hanako", "--company", "Log Co")
    port = free_port()
    logs = tmp_path / "logs"
    logs.mkdir()
    stderr = (logs / "stderr.log").open("w")
    # The same command line as `make serve`; gunicorn.conf.py is read from the project root.
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "hub.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(logs / "access.log"),
        ],
        cwd=ROOT,
        env=server_env(var),
        stdout=stderr,
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError((logs / "stderr.log").read_text()) from None
            time.sleep(0.3)
    yield base, var, logs
    process.terminate()
    process.wait(timeout=20)
    stderr.close()


@needs_checkout("gunicorn.conf.py and manage.py, as `make serve` starts the server")
def test_it_writes_no_secret_in_any_log_line_during_the_onboarding_journey(server):
    base, var, logs = server
    secrets = {PASSWORD, NEW_PASSWORD}

    invitation = mail_link(var, "register")
    secrets.add(invitation.rstrip("/").rsplit("/", 1)[1])
    browser = Browser(base)
    browser.get(invitation)
    assert "set-password-" in browser.path(), "the link was not swapped for the session"
    browser.post(browser.path(), password1=PASSWORD, password2=PASSWORD, accept_terms="on")
    assert browser.path() == "/"
    secrets |= browser.session_ids()
    browser.post("/accounts/logout/")

    browser.get("/accounts/login/")
    browser.post("/accounts/login/", email=EMAIL, password=PASSWORD)
    browser.get("/accounts/two-factor/authenticator/")
    key = re.search(r'data-testid="totp-key">([^<]+)<', browser.page).group(1).replace(" ", "")
    secret = base64.b32decode(key)
    code = f"{totp(secret):06d}"
    secrets |= {key, code}
    browser.post("/accounts/two-factor/authenticator/", code=code)
    recovery = re.findall(r"<li class=\"col\"><code>([^<]+)</code>", browser.page)
    assert len(recovery) == 10
    secrets |= set(recovery) | browser.session_ids()
    browser.post(browser.path())
    browser.post("/accounts/logout/")

    browser.get("/accounts/password/reset/")
    browser.post("/accounts/password/reset/", email=EMAIL)
    reset = mail_link(var, "password/reset")
    secrets.add(reset.rstrip("/").rsplit("/", 1)[1])
    browser.get(reset)
    assert "set-password-" in browser.path()
    browser.post(browser.path(), password1=NEW_PASSWORD, password2=NEW_PASSWORD)
    assert browser.path() == "/accounts/login/"

    browser.post("/accounts/login/", email=EMAIL, password=NEW_PASSWORD)
    second = f"{totp(secret, drift=1):06d}"
    secrets.add(second)
    browser.post("/accounts/login/verify/", code=second)
    assert browser.path() == "/"
    secrets |= browser.session_ids()

    time.sleep(0.5)  # gunicorn writes the access line after the response
    lines = [
        (path.name, line)
        for path in sorted(logs.glob("*.log"))
        for line in path.read_text().splitlines()
    ]
    assert any("/accounts/register/" in line for _, line in lines), "access logging was off"
    leaks = [(name, secret, line) for name, line in lines for secret in secrets if secret in line]
    assert leaks == []
