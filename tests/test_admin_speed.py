"""The operators' admin at scale: the queue order read from its index a page at a time, and a
case page without the parts that cost more to render than they give."""

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Case, CaseStatus
from cases.queue import WAITING_FOR_ESET
from tests.factories import create_company, create_user

pytestmark = pytest.mark.django_db


def queue_plan(cl) -> str:
    page = cl.queryset[: cl.list_per_page]
    if connection.vendor == "postgresql":
        # A few test rows are cheaper to sort than to read through an index: ask for the
        # plan a large table gets.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
    return page.explain()


def test_it_names_the_waiting_status_the_queue_index_is_built_on():
    assert WAITING_FOR_ESET == CaseStatus.WAITING_FOR_ESET


def test_it_reads_a_page_of_the_queue_from_its_index_without_sorting_every_case(
    operator_client, customer, make_case
):
    for n in range(3):
        make_case(create_user(company=create_company(name=f"会社 {n}")))
    cl = operator_client.get(reverse("admin:cases_case_changelist")).context["cl"]
    plan = queue_plan(cl)
    assert "cases_case_queue" in plan
    assert "TEMP B-TREE" not in plan  # SQLite's sort of every row
    assert "Sort" not in plan.replace("Sort Key", "")  # PostgreSQL's


def test_it_keeps_the_queue_order_with_a_status_filter(operator_client, customer, make_case):
    waiting = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    new = make_case(customer)
    Case.objects.filter(pk=new.pk).update(
        status_changed_at=waiting.status_changed_at.replace(year=2000)
    )
    shown = operator_client.get(reverse("admin:cases_case_changelist")).context["cl"].result_list
    assert [case.pk for case in shown] == [waiting.pk, new.pk]


def test_it_shows_the_case_page_without_the_app_list_or_the_related_links(
    operator_client, customer, make_case
):
    case = make_case(customer)
    page = operator_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    content = page.content.decode()
    assert 'id="nav-sidebar"' not in content
    assert 'id="change_id_assigned_to"' not in content
    assert 'id="add_id_stage"' not in content
    # The selects themselves remain, with their choices.
    assert '<select name="status"' in content
    assert '<select name="assigned_to"' in content
    assert '<select name="stage"' in content
    # The breadcrumbs still lead back to the list.
    assert reverse("admin:cases_case_changelist") in content
