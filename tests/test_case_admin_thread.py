"""The admin case page: the thread a page at a time, the newest first; files capped; the case
loaded once; a query budget that no thread length or file count moves. And the case list with
many companies."""

import re
import uuid

import pytest
from django.urls import reverse

from cases.models import Attachment, Case, Message
from cases.text import message_html
from tests.factories import create_company, create_user

pytestmark = pytest.mark.django_db

# Session, operator and their second factor (middleware); the case with what its read-only
# fields print and the company's plan; a page of messages; the stage and operator lists of the
# form; the files. The desk (cases/admin_case_page.py): this operator's presence (one upsert)
# and the others on the case; the company's subscriptions; its other open cases with their
# count (a window); the saved replies.
CHANGE_PAGE_QUERIES = 13
# Session, operator, second factor; the queue views' counts, the operator's saved views; the
# service and priority filters' lists, the operator filter's list; one count; the page of cases
# (the support calendar kept from a first request: tests/test_queue_budget.py).
CHANGE_LIST_QUERIES = 10


def change_url(case, query=""):
    return reverse("admin:cases_case_change", args=[case.pk]) + query


def add_messages(case, authors, count, *, internal_every=0):
    """`count` posts, as create_post stores them (HTML made), without the mail of each."""
    rows = []
    for n in range(count):
        author = authors[n % len(authors)]
        body = f"メッセージ {n + 1}"
        rows.append(
            Message(
                case=case,
                author=author,
                by_operator=author.is_staff,
                is_internal=bool(internal_every) and author.is_staff and n % internal_every == 0,
                body=body,
                body_html=message_html(body),
                post_id=uuid.uuid4(),
            )
        )
    Message.objects.bulk_create(rows)
    return list(Message.objects.filter(case=case).order_by("id"))


def add_files(case, uploader, count):
    Attachment.objects.bulk_create(
        Attachment(
            case=case,
            uploaded_by=uploader,
            name=f"log{n}.txt",
            stored_name=uuid.uuid4().hex,
            size=100 + n,
            sha256="0" * 64,
            kind="text/plain",
        )
        for n in range(count)
    )


def shown_messages(content: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="message-(\d+)"', content)]


def test_it_shows_the_newest_messages_first_and_older_ones_by_a_plain_link(
    operator_client, operator, customer, make_case, settings
):
    settings.CHATTER_PAGE_SIZE = 3
    case = make_case(customer)
    posts = [m.pk for m in add_messages(case, [customer, operator], 7)]

    newest = operator_client.get(change_url(case)).content.decode()
    assert shown_messages(newest) == posts[:3:-1]
    assert "admin-thread-newest" not in newest
    older_link = f'href="?before={posts[4]}#chatter"'
    assert older_link in newest

    older = operator_client.get(change_url(case, f"?before={posts[4]}")).content.decode()
    assert shown_messages(older) == posts[3:0:-1]
    assert "admin-thread-newest" in older
    oldest = operator_client.get(change_url(case, f"?before={posts[1]}")).content.decode()
    assert shown_messages(oldest) == [posts[0]]
    assert "admin-thread-older" not in oldest


def test_it_keeps_the_list_filters_in_its_links_and_ignores_a_bad_before(
    operator_client, operator, customer, make_case, settings
):
    settings.CHATTER_PAGE_SIZE = 1
    case = make_case(customer)
    posts = [m.pk for m in add_messages(case, [customer], 2)]
    filters = "_changelist_filters=status%3Dnew"
    content = operator_client.get(change_url(case, f"?{filters}")).content.decode()
    assert f'href="?{filters}&amp;before={posts[1]}#chatter"' in content
    for bad in ("abc", "1" * 30, "-1"):
        page = operator_client.get(change_url(case, f"?before={bad}"))
        assert shown_messages(page.content.decode()) == [posts[1]], bad


def test_it_shows_internal_notes_to_operators_marked_as_such(
    operator_client, operator, customer, make_case
):
    case = make_case(customer)
    add_messages(case, [operator], 1, internal_every=1)
    content = operator_client.get(change_url(case)).content.decode()
    assert "メッセージ 1" in content
    # Told apart by a label as well as its background (hub/static/hub/admin/case.css).
    note = re.search(r'<article class="([^"]*)" id="message-\d+">(.*?)</article>', content, re.S)
    assert "hub-message-internal" in note.group(1)
    assert "社内メモ" in note.group(2)


def test_it_lists_the_newest_files_and_all_of_them_on_demand(operator_client, customer, make_case):
    case = make_case(customer)
    add_files(case, customer, 25)
    content = operator_client.get(change_url(case)).content.decode()
    assert content.count("/download/") == 20 and "log24.txt" in content
    assert "log4.txt" not in content and "admin-attachments-all" in content
    every = operator_client.get(change_url(case, "?attachments=all")).content.decode()
    assert every.count("/download/") == 25 and "admin-attachments-all" not in every


@pytest.mark.parametrize("messages, files", [(3, 3), (130, 110)])
def test_it_renders_the_case_page_in_a_fixed_number_of_queries(
    operator_client, operator, customer, make_case, django_assert_num_queries, messages, files
):
    case = make_case(customer)
    add_messages(case, [customer, operator], messages, internal_every=5)
    add_files(case, customer, files)
    with django_assert_num_queries(CHANGE_PAGE_QUERIES) as captured:
        assert operator_client.get(change_url(case)).status_code == 200
    # The case once, its relations in the same query (the other read of the table is the side
    # panel's list of the company's other open cases, counted in a window).
    case_reads = [
        q
        for q in captured.captured_queries
        if 'FROM "cases_case"' in q["sql"] and " OVER " not in q["sql"]
    ]
    assert len(case_reads) == 1


def test_it_lists_many_companies_cases_in_a_fixed_number_of_queries(
    operator_client, customer, make_case, django_assert_num_queries
):
    make_case(customer)
    operator_client.get(reverse("admin:cases_case_changelist"))  # keeps the support calendar
    with django_assert_num_queries(CHANGE_LIST_QUERIES):
        small = operator_client.get(reverse("admin:cases_case_changelist"))
    for n in range(30):
        make_case(create_user(company=create_company(name=f"会社 {n}")))
    with django_assert_num_queries(CHANGE_LIST_QUERIES) as captured:
        many = operator_client.get(reverse("admin:cases_case_changelist"))
    assert len(many.context["cl"].result_list) == Case.objects.count()
    counts = [q for q in captured.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 2  # the queue views' counts in one query, and the list's
    # No link per company: the search box finds a company by name.
    assert "company__id__exact" not in small.content.decode() + many.content.decode()
