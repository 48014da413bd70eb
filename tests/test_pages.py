"""The base layout, the home redirect, the language switcher, security headers, /healthz."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.helpers import subprocess_env

ROOT = Path(__file__).resolve().parent.parent


def test_it_redirects_an_anonymous_visitor_from_home_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next=/"


@pytest.mark.django_db
def test_it_shows_the_login_page_in_japanese_by_default(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "ja"
    content = response.content.decode()
    assert '<html lang="ja">' in content
    assert "ログイン" in content
    assert "ESET Services HUB" in content


@pytest.mark.django_db
def test_it_switches_the_page_between_japanese_and_english(client):
    login = reverse("accounts:login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert response.status_code == 302
    assert response.url == login
    english = client.get(login).content.decode()
    assert '<html lang="en">' in english
    assert "Log in" in english
    assert "ログイン" not in english.split("<main", 1)[1]

    client.post(reverse("set_language"), {"language": "ja", "next": login})
    assert '<html lang="ja">' in client.get(login).content.decode()


@pytest.mark.django_db
def test_it_keeps_the_language_switcher_from_redirecting_off_site(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response.url


@pytest.mark.django_db
def test_it_sends_the_security_headers(client):
    response = client.get(reverse("accounts:login"))
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_it_serves_bootstrap_and_htmx_from_our_own_static_files(client):
    content = client.get(reverse("accounts:login")).content.decode()
    referenced = re.findall(r'(?:src|href)="/static/([^"?]+)', content)
    assert {"bootstrap/css/bootstrap.min.css", "django_htmx/htmx-2.min.js"} <= set(referenced)
    missing = [path for path in referenced if not finders.find(path)]
    assert not missing, f"the page refers to static files that do not exist: {missing}"
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', content), "no CDN"
    assert "<script>" not in content, "inline script would break the CSP"


@pytest.mark.django_db
def test_it_answers_healthz_after_a_database_round_trip(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response.headers["Cache-Control"]


def test_it_answers_healthz_503_when_the_database_is_unreachable():
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code)"
    )
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="hub.settings",
        DATABASE_URL="postgres://nobody@127.0.0.1:9/nowhere?connect_timeout=2",
        LOG_LEVEL="CRITICAL",
        ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "503", result.stderr
