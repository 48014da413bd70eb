"""Query budgets of the customer's case pages, its Chatter polls and the case list: fixed
numbers, the same for 5 messages or 120, 3 cases or 300. Each budget names its queries.

They are those of every request but a process's first: the catalogue's stages, response
targets and lists come from the process's copy (catalog/cache.py), which each test's first
request reads, as a worker's first request does.
"""

import uuid

import pytest
from django.urls import reverse

from cases.models import Case, CaseStatus, Message
from catalog.models import Priority, Product, ProductGroup
from tests.factories import create_attachment
from tests.helpers import detail

pytestmark = pytest.mark.django_db

# What any request of a signed-in customer costs before the view: the session, the user and
# the django-otp device that passed the second factor.
SIGNED_IN = 3

# Details tab: the case with every relation it shows (one join), the products chosen when
# the case names a group rather than one product.
DETAILS_TAB = SIGNED_IN + 2
# Chatter tab: the case with its service and stage, the newest page of the thread with the
# names of its authors.
CHATTER_TAB = SIGNED_IN + 2
# Attachments tab: the case with its service and stage, the files with their uploaders.
ATTACHMENTS_TAB = SIGNED_IN + 2
# A poll with nothing new: the case's status and its newest visible message, in one query.
POLL_NOTHING_NEW = SIGNED_IN + 1
# A poll with something new: that query, then the new messages with their authors.
POLL_SOMETHING_NEW = SIGNED_IN + 2
# An earlier page of the thread: the case's id and number, the page with its authors.
OLDER_PAGE = SIGNED_IN + 2
# The case list: the subscriptions (tiles), the services of the company's plan (the service
# filter), the count, the page of cases with service, priority and creator.
CASE_LIST = SIGNED_IN + 4
# The 商品ID box's suggestions, asked at every pause in typing: nothing more, the search runs
# over the process's copy of the catalogue (catalog/search.py).
PRODUCT_SUGGESTIONS = SIGNED_IN


def test_it_counts_three_queries_for_any_signed_in_request(
    customer_client, django_assert_num_queries
):
    # /healthz makes one round trip of its own; the rest is what every budget below starts from.
    with django_assert_num_queries(SIGNED_IN + 1):
        assert customer_client.get("/healthz").status_code == 200


def _thread(case, author, operator, size):
    Message.objects.bulk_create(
        Message(
            case=case,
            author=who,
            by_operator=who.is_staff,
            is_internal=n % 10 == 9 and who.is_staff,
            body=f"message {n}",
            post_id=uuid.uuid4(),
        )
        for n, who in zip(range(size), [author, operator] * size, strict=False)
    )


@pytest.mark.parametrize("size", [5, 120])
@pytest.mark.parametrize(
    ("tab", "budget"),
    [("details", DETAILS_TAB), ("chatter", CHATTER_TAB), ("attachments", ATTACHMENTS_TAB)],
)
def test_it_draws_each_tab_of_the_case_page_in_a_fixed_number_of_queries(
    customer_client,
    customer,
    operator,
    make_case,
    django_assert_num_queries,
    tab,
    budget,
    size,
):
    case = make_case(customer, service="healthcheck")
    _thread(case, customer, operator, size)
    for _ in range(size // 40 + 1):
        create_attachment(case, customer)
    customer_client.get(detail(case, tab=tab))
    with django_assert_num_queries(budget):
        response = customer_client.get(detail(case, tab=tab))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 120])
def test_it_answers_a_poll_with_nothing_new_in_one_query(
    customer_client, customer, operator, make_case, django_assert_num_queries, size
):
    case = make_case(customer)
    _thread(case, customer, operator, size)
    newest = Message.objects.filter(case=case, is_internal=False).latest("id")
    url = reverse("cases:chatter_updates", args=[case.number])
    with django_assert_num_queries(POLL_NOTHING_NEW):
        response = customer_client.get(f"{url}?after={newest.pk}&status={case.status}")
    assert response.status_code == 204


@pytest.mark.parametrize("size", [5, 120])
def test_it_answers_a_poll_with_something_new_in_a_fixed_number_of_queries(
    customer_client, customer, operator, make_case, django_assert_num_queries, size
):
    case = make_case(customer)
    _thread(case, customer, operator, size)
    seen = Message.objects.filter(case=case).order_by("id")[size - 4]
    url = reverse("cases:chatter_updates", args=[case.number])
    customer_client.get(f"{url}?after={seen.pk}")  # reads the stages (catalog/cache.py)
    with django_assert_num_queries(POLL_SOMETHING_NEW):
        response = customer_client.get(f"{url}?after={seen.pk}&status={case.status}")
    assert response.status_code == 200
    assert "message" in response.content.decode()


@pytest.mark.parametrize("size", [45, 150])
def test_it_draws_an_earlier_page_of_the_thread_in_a_fixed_number_of_queries(
    customer_client, customer, operator, make_case, django_assert_num_queries, size
):
    case = make_case(customer)
    _thread(case, customer, operator, size)
    newest = Message.objects.filter(case=case).latest("id")
    url = reverse("cases:chatter_older", args=[case.number])
    with django_assert_num_queries(OLDER_PAGE):
        response = customer_client.get(f"{url}?before={newest.pk - 30}")
    assert response.status_code == 200


@pytest.mark.parametrize("files", [3, 25])
@pytest.mark.parametrize("query", [{}, {"files": "all"}])
def test_it_lists_the_files_in_a_fixed_number_of_queries(
    customer_client, customer, make_case, django_assert_num_queries, settings, files, query
):
    settings.ATTACHMENT_MAX_FILES = 30
    case = make_case(customer)
    for _ in range(files):
        create_attachment(case, customer)
    customer_client.get(detail(case, tab="attachments", **query))
    with django_assert_num_queries(ATTACHMENTS_TAB):
        response = customer_client.get(detail(case, tab="attachments", **query))
    assert len(response.context["attachments"]) == (files if query else min(files, 20))


def _cases(customer, make_case, count):
    """`count` cases of the customer's company: one made by the factory, copies of it besides
    (the list reads rows, whatever made them)."""
    first = make_case(customer)
    critical = Priority.objects.get(code="critical")
    copies = []
    for n in range(count - 1):
        copy = Case.objects.get(pk=first.pk)
        copy.pk = None
        copy.number = f"{90_000_000 + n:08d}"
        copy.submission_id = uuid.uuid4()
        copy.status = CaseStatus.WAITING_FOR_ESET if n % 2 else CaseStatus.NEW
        copy.priority = critical if n % 3 else first.priority
        copies.append(copy)
    Case.objects.bulk_create(copies)


@pytest.mark.parametrize("count", [3, 300])
@pytest.mark.parametrize(
    "query", ["", "page=2", "sort=priority&state=open", "sort=-subject&q=%E3%82%B1&page=2"]
)
def test_it_lists_cases_in_a_fixed_number_of_queries(
    customer_client, customer, company, make_case, django_assert_num_queries, count, query
):
    _cases(customer, make_case, count)
    customer_client.get(f"/?{query}")
    with django_assert_num_queries(CASE_LIST):
        response = customer_client.get(f"/?{query}")
    assert response.status_code == 200
    assert len(response.context["page"]) > 0


@pytest.mark.parametrize("extra", [0, 200])
def test_it_suggests_products_in_a_fixed_number_of_queries(
    customer_client, catalogue, django_assert_num_queries, extra
):
    group = ProductGroup.objects.get(code="endpoint")
    Product.objects.bulk_create(
        Product(code=f"extra-{n}", name_ja=f"追加 {n}", name_en=f"ESET Extra {n}", group=group)
        for n in range(extra)
    )
    url = reverse("cases:product_suggestions") + "?product_query=eset"
    customer_client.get(url)  # reads the catalogue's copy, as a worker's first request does
    with django_assert_num_queries(PRODUCT_SUGGESTIONS):
        response = customer_client.get(url)
    assert response.content.decode().count('role="option"') == 20
