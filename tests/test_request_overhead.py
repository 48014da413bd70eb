"""What every request pays before its view: a visitor's nothing, a signed-in customer's three
queries; the layout's static links looked up once; the PostgreSQL connection set up for short
queries; the session stores."""

import uuid

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils.functional import empty

from catalog.models import Service
from hub.env import SERVER_OPTIONS, database_from_url
from hub.sessions import SessionStore
from hub.sessions.cached import SessionStore as CachedSessionStore
from tests.factories import create_user, with_authenticator
from tests.helpers import detail

pytestmark = pytest.mark.django_db

# Session, user, and the django-otp device that passed the second factor.
SIGNED_IN = 3
# The profile page: its three lists of devices (authenticator apps, recovery codes, HUB
# Authenticators), whether an authenticator is set up, the recovery codes left, the company.
PROFILE = SIGNED_IN + 6


def bare(request):
    """Answers without touching request.user, and says whether a middleware loaded it."""
    return HttpResponse("loaded" if request.user._wrapped is not empty else "lazy")


# This module is the URL configuration of the tests that ask for `bare_view`.
urlpatterns = [path("bare/", bare), path("", include("hub.urls"))]


@pytest.fixture
def bare_view(settings):
    settings.ROOT_URLCONF = __name__
    return "/bare/"


def test_it_serves_a_visitor_without_loading_a_user_or_querying(
    client, bare_view, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(bare_view)
    assert response.content == b"lazy"


@pytest.mark.parametrize("cases", [1, 40])
def test_it_costs_a_signed_in_request_three_queries_before_the_view(
    customer_client, customer, make_case, bare_view, django_assert_num_queries, cases
):
    for _ in range(cases):
        make_case(customer)
    with django_assert_num_queries(SIGNED_IN):
        response = customer_client.get(bare_view)
    # Loaded by the second-factor check: a session that never passed it must end at once.
    assert response.content == b"loaded"


@pytest.mark.parametrize("colleagues", [0, 20])
def test_it_renders_the_profile_page_in_a_fixed_number_of_queries(
    customer_client, customer, make_case, django_assert_num_queries, colleagues
):
    for _ in range(colleagues):
        with_authenticator(create_user(company=customer.company))
        make_case(customer)
    with django_assert_num_queries(PROFILE):
        assert customer_client.get("/accounts/profile/").status_code == 200


def test_it_reads_no_catalogue_for_a_case_page_once_the_process_has_it(
    customer_client, customer, make_case
):
    case = make_case(customer, service="healthcheck")
    customer_client.get(detail(case))
    with CaptureQueriesContext(connection) as queries:
        assert customer_client.get(detail(case)).status_code == 200
    assert not [q["sql"] for q in queries if 'FROM "catalog_stage"' in q["sql"]]
    assert not [q["sql"] for q in queries if 'FROM "catalog_responsetarget"' in q["sql"]]


def test_it_sets_postgresql_up_for_short_queries():
    db = database_from_url("DATABASE_URL", "postgres://hub@db.internal/hub?sslmode=require")
    assert db["OPTIONS"] == {"sslmode": "require", "options": SERVER_OPTIONS}
    given = {part.strip() for part in SERVER_OPTIONS.split("-c") if part.strip()}
    assert given == {"jit=off", "join_collapse_limit=4", "TimeZone=UTC"}
    assert db["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) == (60, True)


def test_it_lets_the_url_override_a_server_setting():
    url = "postgres://hub@db.internal/hub?options=-c%20jit%3Don"
    options = database_from_url("DATABASE_URL", url)["OPTIONS"]["options"]
    assert options == f"{SERVER_OPTIONS} -c jit=on"  # the last -c of a name wins


def test_it_runs_postgresql_connections_with_those_settings(catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://…")
    with connection.cursor() as cursor:
        for name, value in [("jit", "off"), ("join_collapse_limit", "4"), ("TimeZone", "UTC")]:
            cursor.execute(f"SHOW {name}")
            assert cursor.fetchone()[0] == value
        # A form's list (QuerySet.iterator) is one query, never a server-side cursor.
        for _service in Service.objects.iterator():
            cursor.execute("SELECT count(*) FROM pg_cursors")
            assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("store", [SessionStore, CachedSessionStore])
def test_it_treats_a_forged_session_key_as_no_session_in_either_store(store):
    for forged in ("\x00" * 32, "abc/def-ghi", "ａ" * 32, "a" * 31 + "\ud800"):
        assert store(forged).session_key is None
    assert store("a" * 32).session_key == "a" * 32


def test_it_signs_in_and_out_through_the_cached_store(settings, signed_in_client, customer):
    settings.SESSION_ENGINE = "hub.sessions.cached"
    client = signed_in_client(customer)
    assert client.get("/").status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get("/").status_code == 302


def test_it_links_the_static_files_of_the_current_collectstatic(client, monkeypatch):
    assert "/static/hub/hub.css" in client.get(reverse("accounts:login")).content.decode()
    # collectstatic ran again and the server restarted; a shared cache still holds the links.
    version = uuid.uuid4().hex
    monkeypatch.setattr(staticfiles_storage, "url", lambda name: f"/static/{version}/{name}")
    monkeypatch.setattr(staticfiles_storage, "manifest_hash", version, raising=False)
    page = client.get(reverse("accounts:login")).content.decode()
    assert f"/static/{version}/hub/hub.css" in page
    assert "/static/hub/hub.css" not in page
