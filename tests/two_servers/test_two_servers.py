"""Two servers behind one address: whatever a person did on one is there on the other.

Each test would fail if its shared part fell back to one process's memory or one disk: the
sessions, the failed-password counter, the attachments, the catalogue, the mail queue.
How to run: see tests/two_servers/__init__.py.
"""

import json
import os
import re
import uuid
from pathlib import Path

import pytest

from accounts.throttle import account_key
from tests.two_servers import server_settings
from tests.two_servers.processes import wait_until
from tests.two_servers.visitor import Visitor, from_both_workers

NEEDED = ["TWO_SERVERS_DATABASE_URL", "TWO_SERVERS_REDIS_URL"]
pytestmark = [
    pytest.mark.two_servers,
    pytest.mark.skipif(
        not all(os.environ.get(name) for name in NEEDED),
        reason="needs PostgreSQL and Redis: set TWO_SERVERS_DATABASE_URL and "
        "TWO_SERVERS_REDIS_URL (as .ci/run does; see tests/two_servers/__init__.py)",
    ),
]

WRONG_PASSWORD = "Enter a correct email address and password."
TOO_MANY = "Too many failed attempts."


# -- sessions -------------------------------------------------------------------------------


def test_it_keeps_a_sign_in_on_both_servers_until_signed_out_on_either(deployment, a, b, cache):
    case = deployment.case
    on_a = Visitor(a.url)
    on_a.sign_in(deployment.people["colleague"])
    on_b = on_a.on(b.url)

    listing = on_b.get("/")
    assert listing.status_code == 200 and case in listing.text
    page = on_b.get(f"/cases/{case}/")
    assert page.status_code == 200 and "Two servers, one case" in page.text
    # In Redis, which every server reads, not only in the database behind it.
    session = f"hub:1:django.contrib.sessions.cached_db{on_a.session_key}"
    assert cache.exists(session)

    assert on_b.submit("/accounts/logout/", {}, page="/").status_code == 302
    assert not cache.exists(session)
    again = on_a.get("/")  # A, with the cookie as it was before the sign-out
    assert again.status_code == 302 and again.headers["Location"].startswith("/accounts/login/")


# -- throttling -----------------------------------------------------------------------------


def test_it_counts_wrong_passwords_typed_on_either_server_towards_one_lock(
    deployment, a, b, database
):
    email, password = (
        deployment.people["guessed"]["email"],
        deployment.people["guessed"]["password"],
    )
    budget = server_settings.THROTTLE_ACCOUNT  # what the servers run with
    visitors = [Visitor(a.url), Visitor(b.url)]

    for attempt in range(budget["lock_after"]):
        on = visitors[attempt % 2]  # A, B, A, B…: neither sees more than half of them
        if attempt < budget["slow_after"]:
            assert password_step(on, email, f"wrong-{attempt}") == "wrong"
        else:
            # Each later attempt waits out a delay first; an attempt refused counts nothing.
            wait_until(
                lambda on=on, n=attempt: password_step(on, email, f"wrong-{n}") == "wrong",
                "the delay after a wrong password",
                30,
            )

    key = account_key("password", email).name
    (failures,) = database.execute(
        "SELECT failures FROM accounts_loginthrottle WHERE key = %s", [key]
    ).fetchone()
    assert failures == budget["lock_after"]
    for on in visitors:
        assert password_step(on, email, password) == "refused", "locked: the right one too"


def password_step(visitor: Visitor, email: str, password: str) -> str:
    answer = visitor.submit("/accounts/login/", {"email": email, "password": password})
    if answer.status_code == 302:
        return "passed"
    assert answer.status_code == 200, answer.text[-2000:]
    if TOO_MANY in answer.text:
        return "refused"
    assert WRONG_PASSWORD in answer.text, answer.text[-2000:]
    return "wrong"


# -- attachments ----------------------------------------------------------------------------


def test_it_serves_a_file_uploaded_through_one_server_from_the_other(deployment, a, b, customer):
    case = deployment.case
    content = b"\x1f\x8b" + os.urandom(9 * 1024 * 1024)  # gzip; more than one multipart part
    name = f"logs-{uuid.uuid4().hex[:8]}.tgz"
    answer = customer.submit(
        f"/cases/{case}/attachments/",
        {},
        page=f"/cases/{case}/?tab=attachments",
        files={"files": (name, content, "application/gzip")},
    )
    assert answer.status_code == 302

    on_b = customer.on(b.url)
    page = on_b.get(f"/cases/{case}/?tab=attachments")
    assert name in page.text
    (link,) = set(re.findall(rf"/cases/{case}/attachments/\d+/", page.text))
    download = on_b.get(link)
    assert download.status_code == 200
    assert download.content == content

    s3 = deployment.s3()
    (stored,) = s3.list_objects_v2(Bucket=deployment.bucket).get("Contents", [])
    assert s3.get_object(Bucket=deployment.bucket, Key=stored["Key"])["Body"].read() == content
    for server in (a, b):
        assert files_under(server.upload_root) == [], f"nothing on {server.name}'s disk"


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


# -- catalogue ------------------------------------------------------------------------------


def test_it_shows_a_catalogue_edit_made_on_one_server_on_the_other_at_once(deployment, b, customer):
    assert server_settings.CATALOGUE_CACHE_SECONDS >= 600  # no process forgets on its own
    on_b = customer.on(b.url)
    renamed = f"Critical {uuid.uuid4().hex[:6]}"
    # The case list's priority filter is drawn from the process's copy of the catalogue (no
    # case of the list has that priority, whose name would come from the database).
    for status, page in from_both_workers(on_b, "/"):  # each worker of B keeps its copy
        assert status == 200 and renamed not in page

    # An operator renames a priority on A; the ORM's update tells the catalogue cache.
    deployment.manage(
        "shell",
        "-c",
        "from catalog.models import Priority; Priority.objects.filter(code='critical')"
        f".update(name_en={renamed!r}, name_ja={renamed!r})",
    )

    for status, page in from_both_workers(on_b, "/"):
        assert status == 200 and renamed in page


# -- mail -----------------------------------------------------------------------------------


def test_it_mails_a_post_once_through_the_worker_and_only_through_it(
    deployment, customer, sink, worker, broker, database
):
    worker.stop()
    sent_before = len(sink.delivered)
    post_on_a(deployment, customer)
    email_id = last_email_to(database, deployment.operator)["id"]

    # The web servers hand the email to the queue, and do not send it themselves: it waits
    # there while no worker runs, also past the next run of beat's mail retry.
    wait_until(
        lambda: ("hub.tasks.deliver_email", f"({email_id},)") in queued(broker),
        "the email to be queued",
    )
    retries = queued(broker).count(("hub.tasks.retry_pending_email", "()"))
    wait_until(
        lambda: queued(broker).count(("hub.tasks.retry_pending_email", "()")) > retries, "beat"
    )
    assert len(sink.delivered) == sent_before

    worker.start()
    sink.wait_until(lambda: len(sink.delivered) > sent_before, "the email")
    after_every_retry(worker)
    assert len(sink.delivered) == sent_before + 1
    assert deployment.operator in sink.delivered[-1].decode()
    email = last_email_to(database, deployment.operator)
    assert email["sent_at"] is not None and email["attempts"] == 1


def test_it_sends_an_email_once_when_its_worker_is_killed_mid_send(
    deployment, customer, sink, worker, database
):
    sent_before, aborted_before, stalled_before = (
        len(sink.delivered),
        len(sink.aborted),
        sink.stalled,
    )
    sink.stall_next()
    post_on_a(deployment, customer)

    sink.wait_until(lambda: sink.stalled > stalled_before, "the worker to send the email's DATA")
    worker.kill()
    sink.wait_until(
        lambda: len(sink.aborted) > aborted_before, "the killed worker's connection to end"
    )
    email = last_email_to(database, deployment.operator)
    assert email["sent_at"] is None and email["attempts"] == 1

    worker.start()
    sink.wait_until(lambda: len(sink.delivered) > sent_before, "the email to be sent again")
    after_every_retry(worker)
    assert len(sink.delivered) == sent_before + 1, "complete once"
    email = last_email_to(database, deployment.operator)
    assert email["sent_at"] is not None
    assert email["attempts"] == 2, "the killed attempt and the one that sent it"


def post_on_a(deployment, customer: Visitor) -> None:
    case = deployment.case
    answer = customer.submit(
        f"/cases/{case}/chatter/post/",
        {
            "body": f"Still infected ({uuid.uuid4().hex[:6]})",
            "post_id": str(uuid.uuid4()),
            "confirm": "yes",
        },
        page=f"/cases/{case}/?tab=chatter",
    )
    assert answer.status_code == 302, answer.text[-2000:]


def last_email_to(database, address: str) -> dict:
    row = database.execute(
        'SELECT id, sent_at, attempts FROM hub_outboundemail WHERE "to" = %s '
        "ORDER BY id DESC LIMIT 1",
        [address],
    ).fetchone()
    assert row is not None, f"no email to {address} in the outbox"
    return dict(zip(["id", "sent_at", "attempts"], row, strict=True))


def queued(broker) -> list[tuple[str, str]]:
    """(task, arguments) of each message waiting in the task queue."""
    messages = [json.loads(raw) for raw in broker.lrange("celery", 0, -1)]
    return [(m["headers"]["task"], m["headers"]["argsrepr"]) for m in messages]


RETRY_RAN = re.compile(r"retry_pending_email\[[^\]]+\] succeeded")


def after_every_retry(worker) -> None:
    """Wait for two more runs of beat's mail retry: any second copy would have been sent."""
    runs = len(RETRY_RAN.findall(worker.run_log()))
    wait_until(
        lambda: len(RETRY_RAN.findall(worker.run_log())) >= runs + 2, "two runs of the mail retry"
    )
