"""Mail and housekeeping as Celery tasks: retried with back-off, and never sending twice.

The tasks run eagerly (`Task.apply`) where the queue is not under test; the last tests hand
mail to a real worker through a real Redis (database 1, or TEST_REDIS_URL), and skip saying so
when no Redis answers (with TEST_REDIS_URL set, as in CI, they fail instead).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from accounts.services import invitation_create
from cases.tasks import cleanup_uploads
from desk.tasks import load_holidays
from hub import celery_app
from hub.emails import claim_lease
from hub.models import OutboundEmail
from hub.tasks import (
    MAIL_RETRIES,
    clear_expired_sessions,
    deliver_email,
    mail_retry_countdown,
    retry_pending_email,
)
from tests.factories import create_outbound_email
from tests.helpers import subprocess_env

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/1"


def test_it_delivers_a_queued_email_once(mailoutbox):
    email = create_outbound_email("hanako@example.co.jp")

    assert deliver_email.apply(args=[email.pk]).get() == "sent"
    assert deliver_email.apply(args=[email.pk]).get() == "busy", "a second message sends nothing"

    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1


def test_it_retries_a_refused_email_with_back_off(settings):
    settings.EMAIL_BACKEND = "tests.helpers.BrokenBackend"
    email = create_outbound_email("hanako@example.co.jp")

    # Eagerly, each retry runs at once; a worker would wait mail_retry_countdown() in between.
    result = deliver_email.apply(args=[email.pk])
    assert result.get() == "failed", "after its retries the row waits for retry_pending_email"
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1 + MAIL_RETRIES
    assert "mail server down" in email.last_error


def test_it_backs_off_doubling_from_a_minute_up_to_half_an_hour():
    for retries, bound in [(0, 60), (1, 120), (2, 240), (5, 1800), (9, 1800)]:
        waits = {mail_retry_countdown(retries) for _ in range(200)}
        assert min(waits) >= 0 and max(waits) <= bound
        assert max(waits) > bound / 2, "spread over the whole interval (jitter)"


def test_it_retries_pending_email_as_the_command_does(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.helpers.BrokenBackend"
    email = create_outbound_email("hanako@example.co.jp")
    assert deliver_email.apply(args=[email.pk], retries=MAIL_RETRIES).get() == "failed"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_pending_email.apply().get() == {"sent": 1, "failed": 0, "left": 0}
    assert retry_pending_email.apply().get() == {"sent": 0, "failed": 0, "left": 0}
    assert len(mailoutbox) == 1


def test_it_removes_leftovers_of_interrupted_uploads(settings):
    leftover = Path(settings.UPLOAD_ROOT) / "attachments" / "ab" / "abcdef.part"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a file")
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))

    assert cleanup_uploads.apply().get().startswith("removed 1 leftover file(s)")
    assert not leftover.exists()


def test_it_clears_expired_sessions(client, customer):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(customer)
    Session.objects.update(expire_date=timezone.now())

    clear_expired_sessions.apply().get()
    assert not Session.objects.exists()


def test_it_schedules_every_task_with_beat(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "hub.tasks.retry_pending_email",
        "cases.tasks.cleanup_uploads",
        "hub.tasks.clear_expired_sessions",
        "desk.tasks.load_holidays",
        "cases.tasks.sweep_previews",
    }
    assert scheduled <= set(celery_app.tasks)


def test_it_loads_next_years_holidays_monthly(db, settings):
    assert settings.CELERY_BEAT_SCHEDULE["load-holidays"]["schedule"] == 30 * 86400
    assert "Holidays of JP" in load_holidays.apply().get()


@pytest.mark.parametrize(
    ("env", "seen"),
    [
        ({}, {"every": 300, "expires": 290, "lease": 300}),
        (  # the lease's floor is 20 × EMAIL_TIMEOUT
            {"MAIL_RETRY_SECONDS": "20", "EMAIL_TIMEOUT": "1", "EMAIL_CLAIM_LEASE": "20"},
            {"every": 20, "expires": 19, "lease": 20},
        ),
    ],
)
def test_it_retries_mail_and_leases_claims_as_the_operator_says(env, seen):
    show = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "retry = s.CELERY_BEAT_SCHEDULE['retry-pending-email']; print(json.dumps({"
        "'every': retry['schedule'], 'expires': retry['options']['expires'], "
        "'lease': s.EMAIL_CLAIM_LEASE_SECONDS}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", show],
        cwd=BASE_DIR,
        env=subprocess_env(DJANGO_SETTINGS_MODULE="hub.settings", **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == seen


# -- through Redis and a real worker -----------------------------------------------------------


@pytest.fixture
def broker(settings):
    """Redis database 1, emptied before and after; the portal's tasks go there."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        if os.environ.get("TEST_REDIS_URL"):
            pytest.fail(f"TEST_REDIS_URL={REDIS_URL} does not answer: {error}")
        pytest.skip(f"no Redis at {REDIS_URL} ({error}); set TEST_REDIS_URL to require one")
    client.flushdb()
    settings.CELERY_BROKER_URL = REDIS_URL
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = REDIS_URL
    yield client
    celery_app.close()  # drop the connection pool made for this broker
    celery_app.conf.broker_url = previous
    client.flushdb()
    client.close()


def test_it_hands_mail_to_the_queue_after_commit_when_there_is_a_broker(
    broker, company, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_DELIVERY = "background"
    with django_capture_on_commit_callbacks() as callbacks:
        invitation_create(email="q@example.com", full_name="Q", company=company, language="en")
    assert broker.llen("celery") == 0, "nothing is queued before the commit"
    for callback in callbacks:
        callback()

    assert broker.llen("celery") == 1
    assert mailoutbox == [], "the worker sends it, not this process"


def test_it_keeps_the_email_queued_when_the_broker_is_away(
    company, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_DELIVERY = "background"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/1"  # nothing listens on port 1
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(email="q@example.com", full_name="Q", company=company, language="en")
    finally:
        celery_app.close()
        celery_app.conf.broker_url = previous

    email = OutboundEmail.objects.get()
    assert email.sent_at is None and email.attempts == 0, "left for retry_pending_email"


# Claims run out in seconds, so a task that found one held comes back within the test: set by
# tests/worker_settings.py (the environment's EMAIL_CLAIM_LEASE has a floor of 20 × EMAIL_TIMEOUT).
WORKER_CLAIM_LEASE = 5


def wait_for_log(log: Path, text: str, count: int = 1) -> None:
    deadline = time.monotonic() + 60
    while log.read_text().count(text) < count:
        assert time.monotonic() < deadline, (
            f"no {text!r} × {count} in the worker's log:\n{log.read_text()}"
        )
        time.sleep(0.2)


@pytest.fixture
def worker(broker, transactional_db, settings, tmp_path):
    """`celery -A hub worker` on the test database; yields the folder it writes mail to."""
    var_dir = tmp_path / "var"
    log = tmp_path / "worker.log"
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="tests.worker_settings",
        DATABASE_URL=os.environ.get("DATABASE_URL", ""),  # the test database's server
        HUB_TEST_DATABASE_NAME=str(connection.settings_dict["NAME"]),
        REDIS_URL=REDIS_URL,
        CELERY_BROKER_URL=REDIS_URL,
        SECRET_KEY=settings.SECRET_KEY,
        VAR_DIR=str(var_dir),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
    )
    command = [sys.executable, "-m", "celery", "-A", "hub", "worker", "--concurrency", "2"]
    command += ["--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=out)
    try:
        wait_for_log(log, " ready.")
        yield var_dir / "mail", log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.django_db(transaction=True)
def test_it_delivers_through_a_real_worker_exactly_once(worker, broker, company, settings):
    mail_dir, log = worker
    settings.EMAIL_DELIVERY = "background"
    invitation_create(email="w@example.com", full_name="W", company=company, language="en")
    email = OutboundEmail.objects.get()
    # The same email handed over twice more, as after a redelivery: two workers may race.
    deliver_email.delay(email.pk)
    deliver_email.delay(email.pk)

    wait_for_log(log, "succeeded in", 3)

    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1
    sent = list(mail_dir.iterdir())
    assert len(sent) == 1, log.read_text()
    assert "To: w@example.com" in sent[0].read_text()


@pytest.mark.django_db(transaction=True)
def test_it_sends_an_email_held_by_a_dead_worker_when_its_claim_runs_out(worker, settings):
    mail_dir, log = worker
    settings.EMAIL_CLAIM_LEASE_SECONDS = WORKER_CLAIM_LEASE
    email = create_outbound_email("d@example.com")
    # A worker claimed the email and was killed mid-send; its message is delivered again.
    assert OutboundEmail.claim(email.pk, lease=claim_lease()) is not None
    deliver_email.delay(email.pk)

    wait_for_log(log, "succeeded in")

    email.refresh_from_db()
    assert email.sent_at is not None, "sent once the dead worker's claim ran out"
    assert email.attempts == 2, "the dead worker's attempt and this one"
    assert "Retry in" in log.read_text(), "the task came back rather than giving up"
    assert len(list(mail_dir.iterdir())) == 1
