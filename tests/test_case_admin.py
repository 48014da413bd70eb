"""Operators in the admin: replies, internal notes, the queue, files and query budgets."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Attachment, Case, CaseStatus, Message
from cases.services import message_post
from catalog.models import Stage
from tests.helpers import detail

pytestmark = pytest.mark.django_db


def test_it_lets_an_operator_reply_change_status_and_stage_with_email(
    operator_client, operator, customer, colleague, make_case, make_user, company, mailoutbox
):
    quiet = make_user(company=company, notify_own_cases_only=True)
    colleague.language = "en"
    colleague.save()
    case = make_case(customer, service="healthcheck", status=CaseStatus.WAITING_FOR_ESET)
    reply = reverse("admin:cases_case_reply", args=[case.pk])
    response = operator_client.post(reply, {"body": "ご確認ください", "post_id": str(uuid.uuid4())})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_FOR_CUSTOMER
    recipients = {m.to[0]: m for m in mailoutbox}
    assert set(recipients) == {customer.email, colleague.email}
    assert quiet.email not in recipients
    assert "ESET support replied" in recipients[colleague.email].subject
    assert "ESETサポート" in recipients[customer.email].subject

    mailoutbox.clear()
    stage = Stage.objects.get(service__code="healthcheck", code="delivery")
    change = reverse("admin:cases_case_change", args=[case.pk])
    response = operator_client.post(
        change, {"status": "resolved", "stage": stage.pk, "assigned_to": operator.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.stage, case.assigned_to) == ("resolved", stage, operator)
    assert case.closed_at is not None
    subjects = sorted(m.subject for m in mailoutbox if m.to == [colleague.email])
    assert any("Closed" in s for s in subjects) and any("New stage" in s for s in subjects)


def test_it_keeps_internal_notes_from_customers_and_their_status(
    operator_client, customer, customer_client, make_case, mailoutbox
):
    case = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    operator_client.post(
        reverse("admin:cases_case_reply", args=[case.pk]),
        {"body": "内部メモ", "post_id": str(uuid.uuid4()), "internal": "on"},
    )
    note = Message.objects.get(case=case)
    assert (note.body, note.is_internal) == ("内部メモ", True)
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_FOR_ESET
    assert mailoutbox == []
    assert "内部メモ" not in customer_client.get(detail(case, tab="chatter")).content.decode()


def test_it_puts_the_case_waiting_for_eset_due_soonest_first(operator_client, customer, make_case):
    newer = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    older = make_case(
        customer,
        status=CaseStatus.WAITING_FOR_ESET,
        moved_at=timezone.now() - dt.timedelta(days=2),
        response_due_at=timezone.now() - dt.timedelta(hours=1),
    )
    Case.objects.filter(pk=newer.pk).update(response_due_at=timezone.now())
    make_case(customer, status=CaseStatus.NEW)
    changelist = operator_client.get(reverse("admin:cases_case_changelist"))
    listed = [c.pk for c in changelist.context["cl"].result_list]
    assert listed[:2] == [older.pk, newer.pk]
    waiting = operator_client.get(reverse("admin:cases_case_changelist") + "?waiting=yes")
    assert {c.pk for c in waiting.context["cl"].result_list} == {older.pk, newer.pk}


def test_it_renders_the_admin_case_page_in_a_fixed_number_of_queries(
    operator_client, customer, operator, make_case
):
    case = make_case(customer)
    url = reverse("admin:cases_case_change", args=[case.pk])
    message_post(case=case, author=customer, body="1", post_id=uuid.uuid4())
    with CaptureQueriesContext(connection) as one:
        assert operator_client.get(url).status_code == 200
    Message.objects.bulk_create(
        Message(case=case, author=a, body="x", post_id=uuid.uuid4(), by_operator=a.is_staff)
        for a in [customer, operator] * 50
    )
    with CaptureQueriesContext(connection) as many:
        operator_client.get(url)
    assert len(one) == len(many)


def test_it_lets_operators_attach_and_download_through_the_admin(
    operator_client, customer, make_case
):
    case = make_case(customer)
    operator_client.post(
        reverse("admin:cases_case_upload", args=[case.pk]),
        {"files": [SimpleUploadedFile("report.pdf", b"%PDF-1.7\n...")]},
    )
    attachment = Attachment.objects.get()
    assert attachment.by_operator
    response = operator_client.get(reverse("admin:cases_attachment_download", args=[attachment.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_it_shows_user_text_as_text_in_the_admin(operator_client, customer, make_case):
    payload = "<script>alert(1)</script>"
    case = make_case(customer, subject=payload)
    message_post(case=case, author=customer, body=payload, post_id=uuid.uuid4())
    for url in (
        reverse("admin:cases_case_changelist"),
        reverse("admin:cases_case_change", args=[case.pk]),
    ):
        content = operator_client.get(url).content.decode()
        assert payload not in content and "&lt;script&gt;" in content
