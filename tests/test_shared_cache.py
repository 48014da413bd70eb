"""The cache and sessions of more than one server (REDIS_URL): Redis, not each process's memory.

Against a real Redis at TEST_CACHE_REDIS_URL (database 2 of 127.0.0.1:6379 unless told),
emptied before and after each test. When none answers there the tests are skipped, saying so,
unless the run says it has Redis (TEST_CACHE_REDIS_URL or TEST_REDIS_URL set, as in .ci/run):
then they fail.
"""

import json
import os
import subprocess
import sys

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalog import selectors
from catalog.models import Service
from hub.env import SettingsError, redis_caches, release_of_sources
from tests.helpers import detail, force_sign_in, post, subprocess_env

REDIS_URL = os.environ.get("TEST_CACHE_REDIS_URL", "redis://127.0.0.1:6379/2")
REDIS_REQUIRED = bool(os.environ.get("TEST_CACHE_REDIS_URL") or os.environ.get("TEST_REDIS_URL"))
RELEASE = "v1.4-3-gabc1234"


@pytest.fixture
def redis_db():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        if REDIS_REQUIRED:
            raise
        pytest.skip(f"no Redis at {REDIS_URL} ({error}): these tests run in .ci/run")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def shared(settings, redis_db):
    """This process configured as a server with REDIS_URL set (hub/settings.py)."""
    settings.CACHES = redis_caches("REDIS_URL", REDIS_URL, release=RELEASE)
    settings.SESSION_ENGINE = "hub.sessions.cached"
    settings.SESSION_CACHE_ALIAS = "shared"
    settings.CATALOGUE_VERSION_CACHE = "shared"
    return redis_db


def another_server(code: str, **env) -> str:
    """Run `code` in a process of its own, configured from REDIS_URL as a deployment is."""
    script = "import django; django.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=subprocess_env(
            DJANGO_SETTINGS_MODULE="hub.settings",
            VAR_DIR=str(django_settings.VAR_DIR),
            REDIS_URL=REDIS_URL,
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_it_configures_redis_and_cached_sessions_from_redis_url(redis_db):
    seen = json.loads(
        another_server(
            "from django.conf import settings as s; import json\n"
            "print(json.dumps([s.RELEASE, s.CACHES, s.SESSION_ENGINE, s.SESSION_CACHE_ALIAS,"
            " s.CATALOGUE_VERSION_CACHE]))",
            RELEASE="",
        )
    )
    release, caches_, engine, alias, catalogue = seen
    assert release.startswith("0.1.0-")  # no RELEASE given: derived from the sources
    assert (
        caches_["default"]["BACKEND"]
        == caches_["shared"]["BACKEND"]
        == ("django.core.cache.backends.redis.RedisCache")
    )
    assert caches_["fragments"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert caches_["default"]["KEY_PREFIX"] == f"hub:{release}"
    assert (engine, alias, catalogue) == ("hub.sessions.cached", "shared", "shared")


def test_it_passes_the_checks_with_redis(redis_db):
    another_server("from django.core.management import call_command; call_command('check')")


def test_it_sees_what_another_process_put_in_the_cache(shared):
    another_server(
        "from django.core.cache import caches\n"
        "caches['default'].set('from-elsewhere', 'hello', 60)\n"
        "caches['shared'].set('from-elsewhere', 'hi', 60)",
        RELEASE=RELEASE,
    )
    assert caches["default"].get("from-elsewhere") == "hello"
    assert caches["shared"].get("from-elsewhere") == "hi"


def test_it_keeps_a_session_across_servers_until_signed_out_on_either(shared, customer):
    first, second = Client(), Client()
    force_sign_in(first, customer)
    key = first.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert shared.exists(f"hub:1:django.contrib.sessions.cached_db{key}")
    second.cookies[django_settings.SESSION_COOKIE_NAME] = key
    assert second.get(reverse("home")).status_code == 200
    first.post(reverse("accounts:logout"))
    assert not shared.exists(f"hub:1:django.contrib.sessions.cached_db{key}")
    response = second.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_keeps_markup_in_each_process_not_in_redis(shared, customer_client, customer, make_case):
    # Thirty messages would be thirty Redis round trips a page: the fragments, whose keys name
    # all they are drawn from, stay in the process (hub/env.py FRAGMENTS_CACHE).
    case = make_case(customer)
    post(customer_client, case, "Kept in the process")
    assert customer_client.get(detail(case, tab="chatter")).status_code == 200
    assert not shared.keys("*template.cache.*")
    kept = caches["fragments"]
    assert any(".chatter_message." in key for key in kept._cache)  # type: ignore[attr-defined]
    assert {key.decode() for key in shared.keys("*")} <= {
        key.decode() for key in shared.keys("hub:1:django.contrib.sessions.cached_db*")
    } | {"hub:1:catalogue:version"}


@pytest.mark.django_db(transaction=True)
def test_it_shows_a_catalogue_edit_committed_on_another_server_at_once(shared, catalogue):
    def stage_names():
        with translation.override("en"):
            healthcheck = Service.objects.get(code="healthcheck")
            return [stage.name for stage in selectors.stages_of(healthcheck)]

    before = stage_names()
    with connection.cursor() as cursor:  # written by another server, whose signals stay there
        cursor.execute(
            "UPDATE catalog_stage SET name_en = %s WHERE name_en = %s", ["Elsewhere", before[0]]
        )
    assert stage_names() == before  # this process's copy, while the catalogue's version holds
    # The other server's edit commits: its catalogue cache replaces the shared version.
    another_server("from catalog import cache; cache.forget()")
    assert stage_names()[0] == "Elsewhere"


def test_it_refuses_a_catalogue_version_in_a_cache_of_each_process(settings):
    settings.CATALOGUE_VERSION_CACHE = "default"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with pytest.raises(Exception, match=r"hub\.E002"):
        call_command("check")


def test_it_derives_the_release_from_what_is_served(tmp_path):
    (tmp_path / "hub" / "templates").mkdir(parents=True)
    (tmp_path / "hub" / "__init__.py").write_text("")
    template = tmp_path / "hub" / "templates" / "page.html"
    template.write_text("<p>before</p>")
    before = release_of_sources(tmp_path)
    assert release_of_sources(tmp_path) == before  # the same files, the same on every server
    template.write_text("<p>after</p>")
    assert release_of_sources(tmp_path) != before


@pytest.mark.parametrize(
    ("url", "release", "named"),
    [
        ("memcached://127.0.0.1:11211", "v1", "REDIS_URL"),
        ("redis://127.0.0.1:6379/0", "v1 with spaces", "RELEASE"),
        ("redis://127.0.0.1:6379/0", "", "RELEASE"),
    ],
)
def test_it_refuses_a_redis_url_or_release_it_cannot_use(url, release, named):
    with pytest.raises(SettingsError, match=named):
        redis_caches("REDIS_URL", url, release=release)
