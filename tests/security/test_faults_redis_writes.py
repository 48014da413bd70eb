"""Redis answering but refusing writes (REDIS_URL): out of memory under noeviction, or a
read-only replica after a failover. Pages answer "try again" (never a 500), and the session's
copy in Redis never disagrees with its row: a sign-out or a page shown once stays done."""

import logging

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.views import FRESH_CODES_KEY
from cases.models import Message
from hub.env import redis_caches
from tests.security.fake_redis import FakeRedis
from tests.security.faults import assert_try_again, chat, quietly

pytestmark = pytest.mark.django_db

CODES = ["1111-2222", "3333-4444"]


@pytest.fixture
def redis(settings):
    """The cache and the sessions on a Redis of the test's own, as hub/settings.py sets them
    with REDIS_URL (the catalogue's version, read-only here, has its own tests)."""
    server = FakeRedis()
    settings.CACHES = redis_caches("REDIS_URL", server.url(7), release="test")
    settings.SESSION_ENGINE = "hub.sessions.cached"
    settings.SESSION_CACHE_ALIAS = "shared"
    yield server
    server.close()


def copy_and_row(redis, key: str) -> tuple[bool, bool]:
    """Whether Redis holds a copy of the session, and whether its row exists."""
    return bool(redis.keys(key)), Session.objects.filter(session_key=key).exists()


@pytest.fixture
def shown_codes(redis, customer_client):
    """A customer on the page of their new recovery codes, the session cached in Redis."""
    client = quietly(customer_client)
    session = client.session
    session[FRESH_CODES_KEY] = {"codes": CODES, "next": "accounts:profile"}
    session.save()
    page = client.get(reverse("accounts:recovery_codes"))
    assert page.status_code == 200 and CODES[0] in page.content.decode()
    assert copy_and_row(redis, session.session_key) == (True, True)
    return client


@pytest.mark.parametrize("refusal", ["oom", "readonly"])
def test_it_answers_try_again_with_the_typed_reply_while_redis_refuses_writes(
    redis, customer_client, customer, make_case, refusal
):
    case = make_case(customer)
    client = quietly(customer_client)
    redis.store.clear()  # as after a restart: the session must be read from its row and copied
    redis.refusing = refusal

    assert_try_again(chat(client, case))  # reading the row, the copy cannot be written
    assert not Message.objects.exists()
    assert_try_again(client.get(reverse("cases:detail", args=[case.number])), typed=False)


def test_it_never_shows_recovery_codes_again_when_their_removal_cannot_be_cached(
    redis, shown_codes, caplog
):
    redis.refusing = "oom"  # SET refused, DEL still works
    with caplog.at_level(logging.WARNING, logger="hub.sessions.cached"):
        done = shown_codes.post(reverse("accounts:recovery_codes"))

    assert done.status_code == 302, "saved in the row: the person goes on"
    key = shown_codes.session.session_key
    assert copy_and_row(redis, key) == (False, True), "no copy from before is left"
    assert "session saved, not cached" in caplog.text
    redis.refusing = None
    again = shown_codes.get(reverse("accounts:recovery_codes"))
    assert again.status_code == 302 and again.url == reverse("accounts:profile")


def test_it_keeps_recovery_codes_whole_when_redis_refuses_to_drop_its_copy(redis, shown_codes):
    redis.refusing = "readonly"  # DEL refused too: the copy cannot be changed at all

    assert_try_again(shown_codes.post(reverse("accounts:recovery_codes")), typed=False)

    key = shown_codes.cookies["sessionid"].value
    row = Session.objects.get(session_key=key).get_decoded()
    assert row[FRESH_CODES_KEY]["codes"] == CODES, "the row is unchanged, as the copy is"
    redis.refusing = None
    assert shown_codes.post(reverse("accounts:recovery_codes")).status_code == 302
    assert shown_codes.get(reverse("accounts:recovery_codes")).url == reverse("accounts:profile")


def test_it_signs_out_everywhere_or_not_at_all_while_redis_refuses_writes(
    redis, customer_client, customer, make_case
):
    case = make_case(customer)
    client = quietly(customer_client)
    key = client.cookies["sessionid"].value
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 200
    assert copy_and_row(redis, key) == (True, True)
    redis.refusing = "readonly"

    assert_try_again(client.post(reverse("accounts:logout")), typed=False)
    # Still signed in, honestly: the row was not removed behind a copy that lives on.
    assert copy_and_row(redis, key) == (True, True)

    redis.refusing = None
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert copy_and_row(redis, key) == (False, False)
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 302
