"""Mail is sent once, never lost, and never breaks the action that sends it.

Faults are played by a real SMTP socket on 127.0.0.1 that accepts (counting what it receives),
refuses (554 on connect) or stalls (accepts and never answers); the portal talks to it through
Django's SMTP backend, as in production.
"""

import datetime as dt
import socketserver
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services import invitation_create
from hub import emails
from hub.emails import Outcome, claim_lease, deliver, deliver_pending
from hub.models import OutboundEmail
from tests.factories import create_outbound_email
from tests.helpers import post

pytestmark = pytest.mark.django_db


class FakeSMTP(socketserver.ThreadingTCPServer):
    """Just enough SMTP for Django's backend; `mode` is "accept", "refuse" or "stall"."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.mode = "accept"
        self.data_delay = 0.0  # seconds between the end of DATA and the server's "250"
        self.received: list[bytes] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    @property
    def port(self):
        return self.server_address[1]


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server
        if server.mode == "refuse":
            self.wfile.write(b"554 5.3.2 no service here\r\n")
            return
        if server.mode == "stall":
            server.stop.wait(30)  # accepted, never greeted: the client's timeout must end it
            return
        self.wfile.write(b"220 fake.example ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                message = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    message += chunk
                time.sleep(server.data_delay)
                with server.lock:
                    server.received.append(message)
                self.wfile.write(b"250 2.0.0 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # EHLO, MAIL FROM, RCPT TO, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp(settings):
    """A local SMTP server the portal sends to, with a one-second client timeout."""
    server = FakeSMTP()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1
    yield server
    server.stop.set()
    server.shutdown()
    server.server_close()


def queued(n=1, **fields):
    return [
        create_outbound_email(
            f"user{i}@example.com",
            subject=f"Subject {i}",
            body_text="https://hub.example/secret-link",
            language="en",
            **fields,
        )
        for i in range(n)
    ]


def later(monkeypatch, delta):
    """Move the clock the portal reads forward by `delta`."""
    moved = timezone.now() + delta
    monkeypatch.setattr(timezone, "now", lambda: moved)


# -- one sender wins -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_sends_once_when_eight_senders_race_for_one_email(smtp):
    (email,) = queued()
    smtp.data_delay = 0.3  # every sender is well inside its attempt when the others start
    barrier = threading.Barrier(8)
    outcomes = []

    def sender():
        barrier.wait()
        try:
            outcomes.append(deliver(email.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(smtp.received) == 1
    assert sorted(o.value for o in outcomes) == ["busy"] * 7 + ["sent"]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1 and email.claimed_until is None


def test_it_leaves_an_email_alone_while_another_sender_holds_it(mailoutbox):
    (email,) = queued()
    assert OutboundEmail.claim(email.pk, lease=claim_lease()) is not None
    assert deliver(email.pk) is Outcome.BUSY
    assert deliver_pending() == (0, 0, 0)
    assert OutboundEmail.claim(email.pk, lease=claim_lease()) is None
    assert mailoutbox == []


def test_it_retries_an_email_whose_sender_died_once_the_lease_runs_out(mailoutbox, monkeypatch):
    (email,) = queued()
    OutboundEmail.claim(email.pk, lease=claim_lease())  # ... and the sender dies here

    later(monkeypatch, claim_lease() - dt.timedelta(seconds=1))
    assert deliver_pending() == (0, 0, 0), "the lease still holds"
    later(monkeypatch, claim_lease() + dt.timedelta(seconds=1))
    assert deliver_pending() == (1, 0, 0)

    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2
    assert email.body_text == "", "sent bodies hold one-time links and are cleared"
    assert deliver_pending() == (0, 0, 0)
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_it_sends_once_when_the_background_send_and_the_retry_command_overlap(
    smtp, company, settings
):
    settings.EMAIL_DELIVERY = "background"
    smtp.data_delay = 0.7  # below EMAIL_TIMEOUT: slow, not broken
    invitation_create(email="bg@example.com", full_name="BG", company=company, language="en")
    email = OutboundEmail.objects.get()
    deadline = time.monotonic() + 10
    while OutboundEmail.objects.filter(pk=email.pk, claimed_until__isnull=True).exists():
        assert time.monotonic() < deadline, "the background thread never claimed the email"
        time.sleep(0.01)

    for _ in range(3):  # cron fires while the background thread is still talking to the server
        assert deliver_pending() == (0, 0, 0)
    while not OutboundEmail.objects.filter(pk=email.pk, sent_at__isnull=False).exists():
        assert time.monotonic() < deadline, "the background thread never sent the email"
        time.sleep(0.05)
    call_command("send_queued_email", verbosity=0)

    assert len(smtp.received) == 1
    assert b"bg@example.com" in smtp.received[0]


# -- failures are counted, kept and shown ----------------------------------------------------


def test_it_counts_attempts_and_keeps_the_last_error(smtp):
    smtp.mode = "refuse"
    (email,) = queued()
    for attempt in (1, 2, 3):
        assert deliver(email.pk) is Outcome.FAILED
        email.refresh_from_db()
        assert email.attempts == attempt
        assert "554" in email.last_error and "no service here" in email.last_error
        assert email.sent_at is None and email.claimed_until is None
        assert email.body_text, "an unsent email keeps its body for the next attempt"


def test_it_stops_retrying_after_the_attempt_limit_but_keeps_reporting(smtp):
    smtp.mode = "refuse"
    (email,) = queued(attempts=emails.MAX_ATTEMPTS)
    assert deliver_pending() == (0, 0, 0)
    assert OutboundEmail.objects.failing(timezone.now()).get() == email


def failing_in_the_admin(operator_client):
    return operator_client.get(
        reverse("admin:hub_outboundemail_changelist"), {"status": "failing"}
    ).content.decode()


def test_it_shows_an_email_that_keeps_failing_to_operators_and_monitors(
    smtp, company, operator_client
):
    smtp.mode = "refuse"
    invitation_create(
        email="hanako@example.co.jp", full_name="花子", company=company, language="ja"
    )
    call_command("send_queued_email", verbosity=0)
    call_command("send_queued_email", verbosity=0)
    email = OutboundEmail.objects.get()
    assert email.attempts == 3

    listing = failing_in_the_admin(operator_client)
    assert "hanako@example.co.jp" in listing
    assert "no service here" in listing, "the last error is shown"
    sent = operator_client.get(reverse("admin:hub_outboundemail_changelist"), {"status": "sent"})
    assert "hanako@example.co.jp" not in sent.content.decode()

    with pytest.raises(CommandError) as check:
        call_command("send_queued_email", "--check")
    since = email.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    assert str(check.value) == f"mail: 1 failing since {since}"
    assert check.value.returncode == 1

    health = operator_client.get("/healthz?mail")
    assert health.status_code == 200, "a mail outage must not take the portal out of rotation"
    assert health.content.decode() == f"ok\nmail: 1 failing since {since}\n"
    assert operator_client.get("/healthz").content == b"ok\n"


def test_it_reports_no_failing_mail_when_everything_went_out(company, capsys, client):
    invitation_create(email="ok@example.com", full_name="OK", company=company, language="en")
    call_command("send_queued_email", "--check")
    assert capsys.readouterr().out == "mail: 0 failing\n"
    assert client.get("/healthz?mail").content == b"ok\nmail: 0 failing\n"


def test_it_reports_an_email_nobody_tried_for_a_while(monkeypatch):
    # The process that queued it stopped between commit and the background send.
    queued()
    assert not OutboundEmail.objects.failing(timezone.now()).exists()
    later(monkeypatch, dt.timedelta(minutes=20))
    with pytest.raises(CommandError, match="mail: 1 failing since"):
        call_command("send_queued_email", "--check")


def test_it_retries_now_from_the_admin(smtp, operator_client):
    smtp.mode = "refuse"
    first, second = queued(2)
    deliver(first.pk)
    deliver(second.pk)
    changelist = reverse("admin:hub_outboundemail_changelist")
    retry = {"action": "retry_now", "_selected_action": [first.pk, second.pk]}

    response = operator_client.post(changelist, retry, follow=True)
    assert response.status_code == 200
    assert "no service here" in response.content.decode()
    assert OutboundEmail.objects.filter(sent_at__isnull=True).count() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    # It stopped at the first refusal instead of waiting on the server once per email.
    assert sorted([first.attempts, second.attempts]) == [1, 2]

    smtp.mode = "accept"
    response = operator_client.post(changelist, retry, follow=True)
    assert response.status_code == 200
    assert len(smtp.received) == 2
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()
    assert "user0@example.com" not in failing_in_the_admin(operator_client)
    assert OutboundEmail.objects.get(pk=first.pk).body_text == ""

    operator_client.post(changelist, retry)
    assert len(smtp.received) == 2, "a sent email is not sent again"


# -- the action that queued the mail still succeeds ------------------------------------------


def test_it_invites_from_the_admin_while_the_mail_server_refuses(smtp, operator_client, company):
    smtp.mode = "refuse"
    response = operator_client.post(
        reverse("admin:accounts_invitation_add"),
        {
            "full_name": "三郎",
            "email": "saburo@example.co.jp",
            "company": company.pk,
            "language": "en",
        },
    )
    assert response.status_code == 302
    assert Invitation.objects.get().email == "saburo@example.co.jp"
    assert not User.objects.filter(email="saburo@example.co.jp").exists()
    email = OutboundEmail.objects.get()
    assert email.sent_at is None and email.attempts == 1

    smtp.mode = "accept"
    call_command("send_queued_email", verbosity=0)
    assert len(smtp.received) == 1
    assert b"saburo@example.co.jp" in smtp.received[0]


def test_it_keeps_a_chatter_post_while_the_mail_server_refuses(
    smtp,
    customer_client,
    customer,
    operator,
    make_case,
):
    smtp.mode = "refuse"
    case = make_case(customer)
    assert post(customer_client, case, "メールが届かなくても").status_code == 302
    assert case.messages.get().body == "メールが届かなくても"
    email = OutboundEmail.objects.get(to=operator.email)
    assert email.sent_at is None and "554" in email.last_error

    smtp.mode = "accept"
    call_command("send_queued_email", verbosity=0)
    assert len(smtp.received) == 1


def test_it_ends_the_retry_run_in_bounded_time_when_the_server_stalls(smtp):
    smtp.mode = "stall"
    queued(12)
    started = time.monotonic()
    run = deliver_pending()
    elapsed = time.monotonic() - started

    # Three timeouts of one second, not twelve: the run gives up once the server is clearly away.
    assert run == (0, emails.MAX_FAILURES_IN_A_ROW, 12 - emails.MAX_FAILURES_IN_A_ROW)
    assert elapsed < 8, f"{elapsed:.1f} s"
    assert not OutboundEmail.objects.filter(sent_at__isnull=False).exists()
    assert not OutboundEmail.objects.filter(claimed_until__isnull=False).exists(), "released"
    tried = OutboundEmail.objects.filter(attempts=1)
    assert tried.count() == emails.MAX_FAILURES_IN_A_ROW
    assert all("timed out" in e.last_error.lower() for e in tried)

    smtp.mode = "accept"
    assert deliver_pending() == (12, 0, 0)
    assert len(smtp.received) == 12
