"""Security review of the speed work (issue 14): what the shortcuts must still refuse."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cases.models import CaseStatus, Message
from tests.factories import create_attachment, create_case, create_message
from tests.helpers import PASSWORD, detail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_kept_fragments():
    # Template fragments outlive each test's rolled-back rows: start and end without them.
    cache.clear()
    yield
    cache.clear()


def poll(client, case, *, after=0, status=None):
    url = reverse("cases:chatter_updates", args=[case.number])
    return client.get(url, {"after": after, "status": status or case.status})


# -- Chatter polling ---------------------------------------------------------------------------


def test_it_answers_another_companys_poll_as_a_missing_case(
    signed_in_client, customer, other_company_customer
):
    case = create_case(customer)
    create_message(case, customer, "社外秘")
    response = poll(signed_in_client(other_company_customer), case, status="forged")
    assert response.status_code == 404
    assert "社外秘" not in response.content.decode()


def test_it_never_lets_an_internal_note_wake_a_customers_poll(customer_client, customer, operator):
    case = create_case(customer)
    seen = create_message(case, customer, "見えるメッセージ")
    create_message(case, operator, "内部メモ: 顧客に見せない", internal=True)
    case.refresh_from_db()
    nothing_new = poll(customer_client, case, after=seen.pk)
    assert nothing_new.status_code == 204
    everything = poll(customer_client, case, after=0, status="forged")
    assert everything.status_code == 200
    assert "内部メモ" not in everything.content.decode()
    assert "見えるメッセージ" in everything.content.decode()


def test_it_signs_a_half_signed_in_poller_out_rather_than_answering_204(customer):
    case = create_case(customer)
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"email": customer.email, "password": PASSWORD}
    )
    assert response.status_code == 302  # the password passed; the code is still asked
    response = poll(client, case)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# -- Downloads ----------------------------------------------------------------------------------


def test_it_refuses_another_companys_file_whatever_case_number_is_named(
    signed_in_client, customer, other_company_customer
):
    case = create_case(customer)
    theirs = create_case(other_company_customer)
    attachment = create_attachment(case, customer, content=b"secret\n")
    mallory = signed_in_client(other_company_customer)
    for number in (case.number, theirs.number):
        url = reverse("cases:attachment_download", args=[number, attachment.pk])
        assert mallory.get(url).status_code == 404


# -- The case list sorted by priority -----------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["1", "2", "0", "-1", "abc", "99999999999999999999999", "1e9", "last"]
)
@pytest.mark.parametrize("sort", ["priority", "-priority"])
def test_it_pages_the_priority_sort_within_the_readers_company(
    settings, customer_client, customer, other_company_customer, page, sort
):
    settings.CASE_LIST_PAGE_SIZE = 2
    for priority in ("normal", "serious", "critical"):
        create_case(customer, priority=priority, subject=f"自社 {priority}")
        create_case(other_company_customer, priority=priority, subject=f"他社 {priority}")
    response = customer_client.get(reverse("home"), {"sort": sort, "page": page})
    assert response.status_code == 200
    html = response.content.decode()
    assert "他社" not in html
    assert "自社" in html


def test_it_ignores_a_forged_priority_filter_on_the_priority_sort(
    customer_client, customer, other_company_customer
):
    create_case(other_company_customer, priority="critical", subject="他社の件")
    create_case(customer, priority="critical", subject="自社の件")
    for forged in ("999999", "-1", "x", "1 OR 1=1"):
        response = customer_client.get(reverse("home"), {"sort": "priority", "priority": forged})
        assert response.status_code == 200
        assert "他社の件" not in response.content.decode()


# -- Cached fragments ---------------------------------------------------------------------------


def test_it_shows_a_kept_message_in_each_readers_language_and_time_zone(
    signed_in_client, customer, colleague
):
    User.objects.filter(pk=customer.pk).update(language="ja", time_zone="Asia/Tokyo")
    User.objects.filter(pk=colleague.pk).update(language="en", time_zone="America/New_York")
    case = create_case(customer)
    message = create_message(case, customer, "本文")
    customer.refresh_from_db()
    colleague.refresh_from_db()
    tokyo = signed_in_client(customer).get(detail(case, tab="chatter")).content.decode()
    new_york = signed_in_client(colleague).get(detail(case, tab="chatter")).content.decode()

    def shown(page):
        return page.split(f'id="message-{message.pk}"')[1].split("</article>")[0]

    assert message.created_at.astimezone(customer.zone).isoformat() in shown(tokyo)
    assert "お客さま" in shown(tokyo)
    assert message.created_at.astimezone(colleague.zone).isoformat() in shown(new_york)
    assert "Customer" in shown(new_york)


def test_it_shows_an_authors_new_name_on_kept_messages(customer_client, customer):
    case = create_case(customer)
    create_message(case, customer, "本文")
    assert "佐藤 由紀" in customer_client.get(detail(case, tab="chatter")).content.decode()
    User.objects.filter(pk=customer.pk).update(full_name="佐藤 改名")
    page = customer_client.get(detail(case, tab="chatter")).content.decode()
    assert "佐藤 改名" in page and "佐藤 由紀" not in page


def test_it_keeps_no_csrf_token_in_a_kept_fragment(signed_in_client, customer, colleague):
    case = create_case(customer)
    create_message(case, customer, "本文")
    create_attachment(case, customer)
    first = signed_in_client(customer)
    first.get(detail(case, tab="chatter"))
    first.get(detail(case, tab="attachments"))
    for key in list(cache._cache):  # type: ignore[attr-defined]  # LocMemCache
        assert b"csrfmiddlewaretoken" not in cache._cache[key]  # type: ignore[attr-defined]


def test_it_never_shows_a_reader_a_fragment_of_a_status_they_did_not_load(
    customer_client, customer
):
    case = create_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER)
    response = poll(customer_client, case, status='"><script>alert(1)</script>')
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()


# -- The data generator -------------------------------------------------------------------------


SMALL = [
    "--companies=2",
    "--cases=4",
    "--big-company-cases=2",
    "--long-case-messages=1",
    "--long-case-attachments=0",
    "--now=2025-06-01T00:00:00",
]


def test_it_refuses_to_generate_superusers_with_a_public_password_on_a_production_database(
    settings, customer, tmp_path
):
    """A real database (real accounts, DEBUG off, not a bench server): generate_data would add
    ten superusers whose password is in the source and whose authenticator key follows from
    the seed. It must refuse and change nothing."""
    settings.DEBUG = False
    settings.BENCH_VIEWS = False
    with pytest.raises(CommandError):
        call_command("generate_data", *SMALL, stdout=io.StringIO())
    assert not User.objects.filter(is_superuser=True).exists()


def test_it_never_shows_a_kept_message_for_another_message_under_the_same_id(
    customer_client, customer
):
    """A database made anew (flush, restore) gives its ids again while the servers keep their
    fragments; the post id comes from the browser's form. The moment the server stored the
    message is part of the key."""
    case = create_case(customer)
    first = create_message(case, customer, "消されたメッセージ")
    assert "消されたメッセージ" in customer_client.get(detail(case, tab="chatter")).content.decode()
    pk, post_id = first.pk, first.post_id
    first.delete()
    Message.objects.create(
        pk=pk,
        case=case,
        author=customer,
        body="新しいメッセージ",
        body_html="新しいメッセージ",
        post_id=post_id,
    )
    page = customer_client.get(detail(case, tab="chatter")).content.decode()
    assert "新しいメッセージ" in page and "消されたメッセージ" not in page
