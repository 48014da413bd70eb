"""What the audit trail tests (test_audit_*.py) share: a visitor's address and browser, and
readers of the rows."""

import json
import uuid

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit.models import AuditEvent
from catalog.models import MainContent, Priority, Problem, Service

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:two_factor")
ADDRESS = "203.0.113.7"
AGENT = "Mozilla/5.0 (Windows NT 10.0) AuditTest/1.0 " + "x" * 400
NEW_PASSWORD = "Brand-New-Passw0rd!"


def only(action) -> AuditEvent:
    (event,) = AuditEvent.objects.filter(action=action)
    return event


def assert_from_visitor(event):
    assert event.client_ip == ADDRESS
    assert event.user_agent == AGENT[:300]


def assert_about(event, subject):
    assert event.subject_type == ContentType.objects.get_for_model(subject)
    assert event.subject_id == subject.pk


def everything_stored() -> str:
    """Every text column of every audit row, for the checks that nothing secret is kept."""
    rows = AuditEvent.objects.values_list("actor_email", "user_agent", "subject_label", "details")
    return json.dumps([list(row) for row in rows], ensure_ascii=False, default=str)


def guide_case_data(service="premium-support") -> dict:
    """What the case form hands case_open for the guide's example."""
    return {
        "submission_id": uuid.uuid4(),
        "service": Service.objects.get(code=service),
        "subject": "監査のテスト",
        "eset_protect_instance_id": "",
        "eset_inspect_instance_id": "",
        "product": None,
        "product_version": None,
        "operating_system": None,
        "product_group": None,
        "main_content": MainContent.objects.get(code="malware"),
        "problem": Problem.objects.get(main_content__code="malware", code="virus-not-removed"),
        "priority": Priority.objects.get(code="normal"),
        "description": "説明",
        "products": [],
    }
