"""The audit trail of cases: opened, changed, posted to, attached to, and kept when deleted."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

import audit
from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Case, CaseStatus
from catalog.models import Stage
from tests.factories import subscribe
from tests.helpers import force_sign_in, guide_example
from tests.security.auditing import (
    LOGIN,
    assert_about,
    assert_from_visitor,
    guide_case_data,
    only,
)

pytestmark = pytest.mark.django_db


def test_it_records_a_case_created_in_the_portal(visitor, customer, lite_services):
    force_sign_in(visitor, customer)
    visitor.post(reverse("cases:create"), guide_example())
    case = Case.objects.get()
    event = only(audit.Action.CASE_CREATED)
    assert (event.actor, event.subject_label) == (customer, case.number)
    assert event.details == {"service": "premium-support", "priority": "normal"}
    assert_from_visitor(event)
    assert_about(event, case)


def test_it_records_status_stage_and_assignment_changed_in_the_admin(
    operator_client, operator, other_company_customer, other_company
):
    subscribe(other_company, "healthcheck")
    staged = case_services.case_open(
        user=other_company_customer, today=dt.date.today(), data=guide_case_data("healthcheck")
    )
    stage = Stage.objects.get(service__code="healthcheck", code="delivery")
    operator_client.post(
        reverse("admin:cases_case_change", args=[staged.pk]),
        {"status": "resolved", "stage": stage.pk, "assigned_to": operator.pk},
    )
    changes = {
        event.action: event
        for event in AuditEvent.objects.filter(actor=operator, subject_label=staged.number)
    }
    assert set(changes) == {
        audit.Action.CASE_STATUS_CHANGED,
        audit.Action.CASE_STAGE_CHANGED,
        audit.Action.CASE_ASSIGNED,
    }
    assert changes[audit.Action.CASE_STATUS_CHANGED].details == {"old": "new", "new": "resolved"}
    assert changes[audit.Action.CASE_STAGE_CHANGED].details == {"old": None, "new": "delivery"}
    assert changes[audit.Action.CASE_ASSIGNED].details == {"old": None, "new": operator.email}
    for event in changes.values():
        assert event.client_ip == "127.0.0.1"
        assert_about(event, staged)


def test_it_records_a_status_changed_by_a_customer_post(visitor, customer, case):
    force_sign_in(visitor, customer)
    visitor.post(
        reverse("cases:chatter_post", args=[case.number]),
        {"body": "まだ発生します", "post_id": str(uuid.uuid4()), "confirm": "yes"},
    )
    event = only(audit.Action.CASE_STATUS_CHANGED)
    assert event.actor == customer
    assert event.details == {"old": CaseStatus.NEW, "new": CaseStatus.WAITING_FOR_ESET}
    assert_from_visitor(event)
    assert_about(event, case)


def test_it_records_an_attachment_added(visitor, customer, case):
    force_sign_in(visitor, customer)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    visitor.post(
        reverse("cases:attachments_upload", args=[case.number]),
        {"files": [SimpleUploadedFile("画面.png", png, "image/png")]},
    )
    event = only(audit.Action.ATTACHMENT_ADDED)
    attachment = case.attachments.get()
    assert event.actor == customer
    assert event.details == {"name": "画面.png", "size": len(png), "sha256": attachment.sha256}
    assert_from_visitor(event)
    assert_about(event, case)


def test_it_keeps_the_rows_when_the_case_and_the_user_are_deleted(operator, case, make_user):
    case_services.case_update(
        case=case, operator=operator, status=CaseStatus.RESOLVED, stage=None, assigned_to=operator
    )
    number, case_id = case.number, case.pk
    case.delete()
    rows = AuditEvent.objects.filter(subject_label=number)
    assert rows.count() == 3, "created, status and assignment"
    assert set(rows.values_list("subject_id", flat=True)) == {case_id}

    leaver = make_user(email="leaver@example.com")
    Client().post(LOGIN, {"email": leaver.email, "password": "Wrong-Guess-123"})
    leaver.delete()
    event = AuditEvent.objects.get(action=audit.Action.SIGN_IN_FAILED)
    assert (event.actor, event.actor_email, event.subject_label) == (
        None,
        "leaver@example.com",
        "leaver@example.com",
    )


def test_it_leaves_no_row_when_the_change_is_rolled_back(customer, lite_services, monkeypatch):
    def mail_fails(case):
        raise ConnectionError("queue unavailable")

    monkeypatch.setattr(case_services, "_notify_case_created", mail_fails)
    with pytest.raises(ConnectionError):
        case_services.case_open(user=customer, today=dt.date.today(), data=guide_case_data())
    assert not Case.objects.exists()
    assert not AuditEvent.objects.exists()

    with pytest.raises(ConnectionError), transaction.atomic():
        audit.record(action=audit.Action.TRAINER_RESET)
        raise ConnectionError("after the record")
    assert not AuditEvent.objects.exists()
