"""Chatter: customers' posts on a case, polling, paging, reopening and its failures."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import views
from cases.models import CaseStatus, Message
from cases.services import message_post
from hub.models import OutboundEmail
from tests.helpers import PASSWORD, detail, force_sign_in, post

pytestmark = pytest.mark.django_db


def test_it_confirms_before_sharing_and_moves_the_case_to_waiting_for_eset(
    customer_client, customer, make_case, operator, mailoutbox
):
    case = make_case(customer)
    confirm = post(
        customer_client, case, "ログを確認してください\nhttps://example.com/x", confirm=False
    )
    assert confirm.status_code == 200
    assert "共有しますか" in confirm.content.decode()
    assert not Message.objects.exists()
    response = post(customer_client, case, "ログを確認してください\nhttps://example.com/x")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_FOR_ESET
    page = customer_client.get(detail(case, tab="chatter")).content.decode()
    assert "ログを確認してください<br>" in page
    assert '<a href="https://example.com/x" rel="nofollow">' in page
    (notice,) = mailoutbox
    assert notice.to == [operator.email]
    assert case.number in notice.subject


def test_it_keeps_chatter_text_inert(customer_client, customer, make_case):
    case = make_case(customer)
    payload = "<script>alert(1)</script> <img src=x onerror=alert(2)> javascript:alert(3)"
    post(customer_client, case, payload)
    page = customer_client.get(detail(case, tab="chatter")).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert 'href="javascript:' not in page


def test_it_makes_one_message_from_a_double_submit(customer_client, customer, make_case):
    case = make_case(customer)
    post_id = uuid.uuid4()
    post(customer_client, case, "一度だけ", post_id=post_id)
    post(customer_client, case, "一度だけ", post_id=post_id)
    assert Message.objects.count() == 1


@pytest.mark.parametrize("body", ["", "   ", "x" * 20_001, "nul\x00byte"])
def test_it_refuses_an_empty_or_bad_post(customer_client, customer, make_case, body):
    case = make_case(customer)
    response = post(customer_client, case, body)
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_it_polls_for_new_messages_and_hides_internal_notes(
    customer_client, customer, make_case, operator
):
    case = make_case(customer)
    first = message_post(case=case, author=customer, body="最初", post_id=uuid.uuid4())
    message_post(case=case, author=operator, body="社内メモ", post_id=uuid.uuid4(), internal=True)
    message_post(case=case, author=operator, body="ご回答です", post_id=uuid.uuid4())
    url = reverse("cases:chatter_updates", args=[case.number]) + f"?after={first.pk}"
    content = customer_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "ご回答です" in content and "社内メモ" not in content and "最初" not in content
    assert 'id="case-status"' in content and "hx-swap-oob" in content
    assert "お客さまの回答待ち" in content


def test_it_loads_a_long_thread_in_pages(customer_client, customer, make_case):
    case = make_case(customer)
    Message.objects.bulk_create(
        Message(case=case, author=customer, body=f"message {n}", post_id=uuid.uuid4())
        for n in range(75)
    )
    page = customer_client.get(detail(case, tab="chatter"))
    assert len(page.context["thread"]) == 30 and page.context["has_older"]
    assert page.context["thread"][-1].body == "message 74"
    older = customer_client.get(
        reverse("cases:chatter_older", args=[case.number]) + f"?before={page.context['oldest_id']}"
    )
    assert "message 44" in older.content.decode() and "message 45" not in older.content.decode()


def test_it_reopens_a_recently_closed_case(customer_client, customer, make_case):
    recent = make_case(customer, status=CaseStatus.RESOLVED)
    post(customer_client, recent, "まだ発生します")
    recent.refresh_from_db()
    assert recent.status == CaseStatus.WAITING_FOR_ESET and recent.closed_at is None


def test_it_offers_a_follow_up_case_instead_of_reopening_an_old_one(
    customer_client, customer, make_case
):
    old = make_case(
        customer,
        status=CaseStatus.RESOLVED,
        moved_at=timezone.now() - dt.timedelta(days=15),
    )
    response = post(customer_client, old, "まだ発生します")
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == CaseStatus.RESOLVED
    assert not old.messages.exists()
    page = customer_client.get(detail(old)).content.decode()
    assert reverse("cases:follow_up", args=[old.number]) in page
    follow = customer_client.get(reverse("cases:follow_up", args=[old.number]))
    assert f"follows={old.number}" in follow.url


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_message_of_sixteen_concurrent_posters_in_order(customer, make_case):
    case = make_case(customer)
    barrier = threading.Barrier(16)

    def poster(n):
        barrier.wait()
        for i in range(50):
            message_post(case=case, author=customer, body=f"{n}:{i}", post_id=uuid.uuid4())
        connection.close()

    threads = [threading.Thread(target=poster, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bodies = list(case.messages.order_by("id").values_list("body", flat=True))
    assert len(bodies) == 800
    for n in range(16):
        mine = [b for b in bodies if b.startswith(f"{n}:")]
        assert mine == [f"{n}:{i}" for i in range(50)]


def test_it_keeps_the_post_when_the_mail_server_is_down(
    customer_client, customer, make_case, operator, settings
):
    settings.EMAIL_BACKEND = "tests.helpers.BrokenBackend"
    case = make_case(customer)
    assert post(customer_client, case, "メールが届かなくても").status_code == 302
    assert Message.objects.get().body == "メールが届かなくても"
    assert OutboundEmail.objects.get().sent_at is None


def test_it_refuses_a_post_without_a_csrf_token(customer, make_case):
    case = make_case(customer)
    strict = force_sign_in(Client(enforce_csrf_checks=True), customer)
    response = strict.post(
        reverse("cases:chatter_post", args=[case.number]),
        {"body": "CSRFなし", "post_id": str(uuid.uuid4()), "confirm": "yes"},
    )
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_it_changes_nothing_on_get_requests(customer_client, customer, make_case):
    case = make_case(customer)
    for name in ("cases:chatter_post", "cases:attachments_upload"):
        assert customer_client.get(reverse(name, args=[case.number])).status_code == 405
    assert not Message.objects.exists()


@pytest.mark.parametrize("value", ["²", "9" * 5000, "-1", "1e3"])
def test_it_answers_odd_ids_in_chatter_urls_without_error(
    customer_client, customer, make_case, value
):
    case = make_case(customer)
    for url in (
        reverse("cases:chatter_updates", args=[case.number]) + f"?after={value}",
        reverse("cases:chatter_older", args=[case.number]) + f"?before={value}",
        detail(case, tab="chatter", before=value),
    ):
        assert customer_client.get(url).status_code == 200


def test_it_shows_the_subject_as_typed_in_email_subjects(
    customer_client, customer, make_case, operator, mailoutbox
):
    case = make_case(customer, subject='<b>Tom & Jerry\'s "x"')
    post(customer_client, case, "確認してください")
    assert mailoutbox[0].subject.endswith('<b>Tom & Jerry\'s "x"')


def test_it_answers_a_locked_database_with_try_again_and_the_text_kept(
    customer_client, customer, make_case, monkeypatch
):
    case = make_case(customer)

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "message_post", locked)
    response = post(customer_client, case, "<b>大事な報告</b>\n二行目")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    content = response.content.decode()
    assert "&lt;b&gt;大事な報告&lt;/b&gt;" in content and "<b>大事な報告" not in content
    assert not Message.objects.exists()


def poll(client, number, *, after, status=None):
    """A Chatter poll as the page sends it: the newest message it shows and its status."""
    url = reverse("cases:chatter_updates", args=[number]) + f"?after={after}"
    return client.get(url + (f"&status={status}" if status else ""))


def test_it_answers_a_poll_with_nothing_new_with_no_content_and_no_template(
    customer_client, customer, make_case, operator
):
    case = make_case(customer)
    reply = message_post(case=case, author=operator, body="ご回答です", post_id=uuid.uuid4())
    case.refresh_from_db()
    page = customer_client.get(detail(case, tab="chatter")).content.decode()
    assert f"?after={reply.pk}&amp;status={case.status}" in page
    response = poll(customer_client, case.number, after=reply.pk, status=case.status)
    assert response.status_code == 204 and response.content == b""
    assert response.templates == []
    assert response["Cache-Control"] == "no-store"


def test_it_never_counts_an_internal_note_as_news_for_a_customer(
    customer_client, customer, make_case, operator
):
    case = make_case(customer)
    seen = message_post(case=case, author=customer, body="質問です", post_id=uuid.uuid4())
    message_post(case=case, author=operator, body="社内メモ", post_id=uuid.uuid4(), internal=True)
    case.refresh_from_db()
    assert poll(customer_client, case.number, after=seen.pk, status=case.status).status_code == 204


def test_it_brings_a_status_change_without_a_message_by_polling(
    customer_client, customer, make_case, operator
):
    case = make_case(customer)
    seen = message_post(case=case, author=customer, body="質問です", post_id=uuid.uuid4())
    shown = CaseStatus.WAITING_FOR_ESET
    case.refresh_from_db()
    case.move_to(CaseStatus.RESOLVED)
    case.save()
    response = poll(customer_client, case.number, after=seen.pk, status=shown)
    content = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert 'data-testid="message"' not in content
    assert 'id="case-status"' in content and "解決済み" in content
    assert f"?after={seen.pk}&amp;status=resolved" in content
    assert poll(customer_client, case.number, after=seen.pk, status="resolved").status_code == 204


def test_it_answers_a_poll_without_a_status_with_the_fragment(customer_client, customer, make_case):
    # A page opened before polls said their status still gets its badge and a poll that does.
    case = make_case(customer)
    response = poll(customer_client, case.number, after=0)
    assert response.status_code == 200
    assert f"&amp;status={case.status}" in response.content.decode()


def test_it_answers_a_poll_of_a_case_it_may_not_see_as_it_answers_its_page(
    customer, other_company_customer, make_case, client
):
    case = make_case(customer)
    nothing_new = {"after": 10**9, "status": case.status}
    other = force_sign_in(Client(), other_company_customer)
    assert poll(other, case.number, **nothing_new).status_code == 404
    mine = force_sign_in(Client(), customer)
    assert poll(mine, "99999998", **nothing_new).status_code == 404
    assert poll(mine, case.number, **nothing_new).status_code == 204
    login = reverse("accounts:login")
    assert poll(client, case.number, **nothing_new).url.startswith(login)
    half = Client()
    half.post(login, {"email": customer.email, "password": PASSWORD})
    assert poll(half, case.number, **nothing_new).url.startswith(login)


def test_it_shows_each_reader_the_thread_in_their_language_and_time_zone_with_current_names(
    customer_client, customer, make_case, operator
):
    # Messages' markup is kept between pages (cases/_thread_messages.html): never across
    # languages, time zones or an author's renaming.
    case = make_case(customer)
    message_post(case=case, author=operator, body="ご回答です", post_id=uuid.uuid4())
    page = customer_client.get(detail(case, tab="chatter")).content.decode()
    assert "ESETサポート" in page and "Olga Operator" in page
    customer.language, customer.time_zone = "en", "Europe/Bratislava"
    customer.save()
    operator.full_name = "Olga Renamed"
    operator.save()
    page = customer_client.get(detail(case, tab="chatter")).content.decode()
    assert "ESET support" in page and "ESETサポート" not in page
    assert "Olga Renamed" in page and "Olga Operator" not in page
    assert "+01:00" in page or "+02:00" in page, "the time in the reader's zone"
