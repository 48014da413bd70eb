"""Redis away, or silent, with more than one server (REDIS_URL): the broker of mail tasks, the
cache and sessions, the catalogue's shared version. A post is never held up by the broker, a
page is "try again" (never a 500) while sessions cannot be read, and the catalogue falls back
to its time limit."""

import logging
import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Message
from catalog import cache
from hub.env import local_caches, redis_caches
from hub.models import OutboundEmail
from tests.helpers import subprocess_env
from tests.security.faults import TYPED, assert_try_again, chat, quietly

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def closed_port():
    """A port where nothing listens: connections are refused at once."""
    return free_port()


@pytest.fixture
def silent_port():
    """A port where a server accepts connections and never answers, as a Redis that hangs
    (swapping, stopped by a debugger, a half-open link through a firewall) does."""
    server = socket.create_server(("127.0.0.1", 0))
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:  # closed when the test ends
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for peer in held:
        peer.close()


# -- the broker --------------------------------------------------------------------------------

# The reply, posted by a portal process of its own (settings read from its environment, as on a
# server), on a thread given POST_SECONDS to answer: well above the broker's own time limits
# (2 s to connect, 5 s to read, one retry), far below "forever".
POST_SECONDS = 25
POST_A_REPLY = f"""
import sys, threading, uuid, os
import django
django.setup()
from django.test import Client
from django.urls import reverse
from tests.helpers import force_sign_in
from accounts.models import User

client = force_sign_in(Client(), User.objects.get(email=sys.argv[1]))
answers = []
data = {{"body": sys.argv[3], "post_id": str(uuid.uuid4()), "confirm": "yes"}}
post = threading.Thread(
    target=lambda: answers.append(
        client.post(reverse("cases:chatter_post", args=[sys.argv[2]]), data).status_code
    ),
    daemon=True,
)
post.start()
post.join({POST_SECONDS})
print(answers[0] if answers else "no answer", flush=True)
os._exit(0)
"""


@pytest.mark.parametrize("broker", ["closed_port", "silent_port"])
@pytest.mark.django_db(transaction=True)
def test_it_posts_a_reply_at_once_and_keeps_its_email_when_the_broker_is_away(
    request, customer, operator, make_case, settings, tmp_path, broker
):
    case = make_case(customer)
    port = request.getfixturevalue(broker)
    env = subprocess_env(  # no REDIS_URL: the cache and sessions stay the database's
        DJANGO_SETTINGS_MODULE="tests.worker_settings",
        DATABASE_URL=os.environ.get("DATABASE_URL", ""),  # the test database's server
        HUB_TEST_DATABASE_NAME=str(connection.settings_dict["NAME"]),
        CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/7",
        EMAIL_DELIVERY="background",
        ALLOWED_HOSTS="testserver",
        SECRET_KEY=settings.SECRET_KEY,
        VAR_DIR=str(tmp_path / "var"),
    )
    portal = subprocess.run(
        [sys.executable, "-c", POST_A_REPLY, customer.email, case.number, TYPED],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=POST_SECONDS + 60,
    )

    assert portal.stdout.strip() == "302", portal.stdout + portal.stderr  # "Your update was shared"
    assert Message.objects.get().body == TYPED
    email = OutboundEmail.objects.get(to=operator.email)
    assert email.sent_at is None and email.attempts == 0, "left for retry_pending_email"
    assert f"email {email.pk} not handed to the task queue" in portal.stderr


def test_it_gives_the_broker_time_limits_and_one_retry():
    from hub import celery_app

    options = celery_app.conf.broker_transport_options
    assert (options["socket_connect_timeout"], options["socket_timeout"]) == (2, 5)
    assert celery_app.conf.task_publish_retry_policy["max_retries"] == 1


# -- cache and sessions ----------------------------------------------------------------------


@pytest.fixture(params=["closed_port", "silent_port"])
def redis_away(request, settings):
    """Switches the cache, the sessions and the catalogue's version to a Redis that is away
    (refusing, or accepting and never answering), as hub/settings.py sets them with REDIS_URL."""
    port = request.getfixturevalue(request.param)

    def switch():
        url = f"redis://127.0.0.1:{port}/7"
        settings.CACHES = redis_caches("REDIS_URL", url, release="test")
        settings.SESSION_ENGINE = "hub.sessions.cached"
        settings.SESSION_CACHE_ALIAS = "shared"
        settings.CATALOGUE_VERSION_CACHE = "shared"

    return switch


def test_it_answers_try_again_with_the_typed_reply_when_the_sessions_redis_is_away(
    customer_client, customer, make_case, redis_away
):
    case = make_case(customer)
    client = quietly(customer_client)  # signed in while Redis answered
    redis_away()

    response = chat(client, case)

    assert_try_again(response)  # what was typed is shown back, as text
    assert not Message.objects.exists()
    detail = client.get(reverse("cases:detail", args=[case.number]))
    assert_try_again(detail, typed=False)


# -- the catalogue's shared version ----------------------------------------------------------


@pytest.fixture
def version_away(settings, closed_port, monkeypatch):
    """Only the catalogue's version is on the Redis that is away; each process's copies and
    the failure's log state start afresh."""
    settings.CACHES = {
        **local_caches(),
        "shared": redis_caches("REDIS_URL", f"redis://127.0.0.1:{closed_port}/7", release="t")[
            "shared"
        ],
    }
    settings.CATALOGUE_VERSION_CACHE = "shared"
    monkeypatch.setattr(cache, "_failing", threading.Event(), raising=False)
    cache._shared.clear()
    yield
    cache._shared.clear()


def test_it_serves_pages_that_read_the_catalogue_while_its_version_is_unreadable(
    version_away, customer_client
):
    response = customer_client.get(reverse("cases:create"))
    assert response.status_code == 200
    assert 'name="priority"' in response.content.decode()


def test_it_keeps_the_catalogue_by_its_time_limit_alone_while_the_version_is_unreadable(
    version_away, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    loads = []

    def load():
        loads.append(uuid.uuid4())
        return loads[-1]

    with caplog.at_level(logging.WARNING, logger="catalog.cache"):
        first = cache.cached("lists", load)
        assert cache.cached("lists", load) == first, "kept, as on one server"
        later = cache.time.monotonic() + settings.CATALOGUE_CACHE_SECONDS + 1
        monkeypatch.setattr(cache.time, "monotonic", lambda: later)
        assert cache.cached("lists", load) != first, "read again once the time is up"
        with django_capture_on_commit_callbacks(execute=True):
            cache.forget()  # an operator's edit: saved, though no server can be told

    assert len(loads) == 2
    assert caplog.text.count("catalogue version unreadable") == 1, "once per outage"
