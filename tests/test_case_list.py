"""The case list: the company's cases, filters, search, sorting and pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import CaseStatus
from catalog.models import Priority, Service

pytestmark = pytest.mark.django_db


def test_it_lists_the_companys_cases_including_colleagues_and_nobody_elses(
    customer_client, customer, colleague, other_company_customer, make_case
):
    mine = make_case(customer, subject="私のケース")
    theirs = make_case(colleague, subject="同僚のケース")
    foreign = make_case(other_company_customer, subject="他社のケース")
    content = customer_client.get("/").content.decode()
    assert mine.number in content and theirs.number in content
    assert foreign.number not in content and "他社のケース" not in content
    mine_only = customer_client.get("/?mine=1").content.decode()
    assert mine.number in mine_only and theirs.number not in mine_only


def listed(client, query="") -> list[str]:
    """The case numbers the list shows for `query`, in order."""
    return [case.number for case in client.get(f"/?{query}").context["page"]]


def test_it_filters_open_and_closed_cases(customer_client, customer, make_case):
    waiting = make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER)
    closed = make_case(customer, status=CaseStatus.RESOLVED)
    assert listed(customer_client, "state=open") == [waiting.number]
    assert listed(customer_client, "state=closed") == [closed.number]


def test_it_searches_subjects_and_case_numbers(customer_client, customer, make_case):
    waiting = make_case(customer, subject="回答待ち")
    urgent = make_case(customer, subject="重大な件")
    assert listed(customer_client, "q=重大") == [urgent.number]
    assert listed(customer_client, f"q={waiting.number}") == [waiting.number]


def test_it_filters_by_priority(customer_client, customer, make_case):
    make_case(customer)
    urgent = make_case(customer, priority="critical")
    critical = Priority.objects.get(code="critical").pk
    assert listed(customer_client, f"priority={critical}") == [urgent.number]


def test_it_sorts_by_case_number(customer_client, customer, make_case):
    numbers = [make_case(customer).number for _ in range(3)]
    assert listed(customer_client, "sort=number") == sorted(numbers)
    assert listed(customer_client, "sort=-number") == sorted(numbers, reverse=True)


def test_it_marks_the_cases_waiting_for_the_customer(customer_client, customer, make_case):
    make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER)
    content = customer_client.get("/").content.decode()
    assert 'class="hub-row-waiting" data-status="waiting_customer"' in content


def test_it_shows_25_cases_a_page(customer_client, customer, make_case):
    for _ in range(33):
        make_case(customer)
    assert len(listed(customer_client)) == 25
    assert len(listed(customer_client, "page=2")) == 8


@pytest.mark.parametrize(
    "query",
    ["sort=password", "sort=company__users__password", "page=abc", "state=evil", "service=x"],
)
def test_it_never_takes_a_sort_or_filter_key_from_the_request(
    customer_client, customer, make_case, query
):
    make_case(customer)
    response = customer_client.get(f"/?{query}")
    assert response.status_code == 200
    assert "pbkdf2" not in response.content.decode() and "md5$" not in response.content.decode()


def test_it_lists_cases_in_a_fixed_number_of_queries(customer_client, customer, make_case):
    make_case(customer)
    customer_client.get("/")  # reads the catalogue's lists (catalog/cache.py)
    with CaptureQueriesContext(connection) as one:
        customer_client.get("/")
    for _ in range(20):
        make_case(customer)
    with CaptureQueriesContext(connection) as many:
        customer_client.get("/")
    assert len(one) == len(many)


def service_filter(client) -> list[str]:
    """The service filter's options as the list shows them, its "All" first."""
    filters = client.get("/").context["filters"]
    (options,) = [options for field, options in filters.select_lists() if field.name == "service"]
    return [label for _value, label, _selected in options]


def test_it_lists_only_the_services_of_the_companys_plan_in_the_filter(
    customer_client, other_company_customer, signed_in_client, make_case
):
    # The guide's menus: MDR Lite offers ESET Premium Support and ESET MDR; Ultimate their
    # Ultimate editions and the professional services.
    assert service_filter(customer_client) == ["すべて", "ESET Premium Support", "ESET MDR"]
    ultimate = signed_in_client(other_company_customer)
    assert service_filter(ultimate) == [
        "すべて",
        "ESET Premium Support Ultimate",
        "HealthCheck",
        "ESET Deployment and Upgrade",
        "ESET MDR Ultimate",
    ]
    page = customer_client.get("/").content.decode()
    assert "ESET MDR Ultimate" not in page and "HealthCheck" not in page


def test_it_refuses_to_filter_by_a_service_outside_the_plan(customer_client, customer, make_case):
    lite = make_case(customer, service="premium-support")
    ultimate_only = Service.objects.get(code="healthcheck")
    response = customer_client.get(f"/?service={ultimate_only.pk}")
    assert response.status_code == 200
    assert response.context["filters"].errors.keys() == {"service"}
    assert [case.number for case in response.context["page"]] == [lite.number]
    mine = Service.objects.get(code="premium-support").pk
    assert listed(customer_client, f"service={mine}") == [lite.number]
