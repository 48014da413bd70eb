"""The case page: status progress, the stage bar and its query budget."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import CaseStatus, Message
from cases.services import message_post
from catalog.models import Stage
from tests.factories import subscribe
from tests.helpers import detail

pytestmark = pytest.mark.django_db


def test_it_shows_the_status_progress_and_stages(customer_client, customer, make_case, company):
    subscribe(company, "premium-support")
    case = make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER)
    page = customer_client.get(detail(case))
    steps = case.status_steps()
    assert [s["state"] for s in steps] == ["done", "done", "current", "todo", "todo"]
    assert 'aria-current="step">お客さまの回答待ち' in page.content.decode()
    invalid = make_case(customer, status=CaseStatus.INVALID)
    assert [s["state"] for s in invalid.status_steps()] == [
        "done",
        "done",
        "done",
        "todo",
        "current",
    ]


def test_it_shows_the_stage_bar_for_staged_services(customer_client, customer, make_case):
    case = make_case(customer, service="healthcheck")
    case.stage = Stage.objects.get(service__code="healthcheck", code="service-plan")
    case.save()
    content = customer_client.get(detail(case)).content.decode()
    assert 'data-testid="stage-steps"' in content
    assert 'hub-step hub-step-done">アセスメントフォーム' in content
    plain = make_case(customer)
    assert 'data-testid="stage-steps"' not in customer_client.get(detail(plain)).content.decode()


def test_it_renders_the_customer_case_page_in_a_fixed_number_of_queries(
    customer_client, customer, operator, make_case
):
    case = make_case(customer)
    message_post(case=case, author=customer, body="1", post_id=uuid.uuid4())
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            customer_client.get(detail(case, tab="chatter"))
            customer_client.get(detail(case, tab="attachments"))
        counts.append(len(queries))
        Message.objects.bulk_create(
            Message(case=case, author=a, body="x", post_id=uuid.uuid4(), by_operator=a.is_staff)
            for a in [customer, operator] * 100
        )
    assert counts[0] == counts[1]
