"""The bare reference view of `make bench`: there only when BENCH_VIEWS is on."""

import importlib
import subprocess
import sys

import pytest
from django.urls import clear_url_caches

import hub.urls
from tests.helpers import HUB_PARENT, subprocess_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls_with(settings):
    """Build hub/urls.py again under the given BENCH_VIEWS, as a server starting with it does;
    the URL configuration of the setting's default is restored afterwards."""

    def build(bench_views: bool) -> None:
        settings.BENCH_VIEWS = bench_views
        importlib.reload(hub.urls)
        clear_url_caches()

    yield build
    build(False)


def test_it_has_no_bare_view_by_default(client, urls_with):
    urls_with(False)
    assert client.get("/bench/bare").status_code == 404


def test_it_answers_ok_through_the_middleware_with_bench_views_on(client, urls_with):
    urls_with(True)
    response = client.get("/bench/bare")
    assert response.status_code == 200
    assert response.content == b"ok"
    # The whole stack ran: our security headers are on the answer.
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(("value", "expected"), [(None, "False"), ("1", "True")])
def test_it_reads_bench_views_from_the_environment(value, expected):
    env = subprocess_env(
        PYTHONPATH=str(HUB_PARENT), DJANGO_SETTINGS_MODULE="hub.settings", SECRET_KEY="x" * 50
    )
    env.pop("BENCH_VIEWS", None)
    if value is not None:
        env["BENCH_VIEWS"] = value
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.BENCH_VIEWS)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == expected
