"""The migration that gave each case the statuses it has been in, run on old rows: from the
audit trail where it knows them, else New and where the case is now."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.actions import Action
from audit.models import AuditEvent
from cases.models import Case, CaseStatus
from tests.factories import create_case_of_schema
from tests.migrations import schema_at

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("cases", "0008_case_priority_index")]
AFTER = [("cases", "0009_case_statuses_reached")]


@pytest.fixture
def old_schema(catalogue):
    with schema_at(BEFORE):
        yield


def old_case(customer, status):
    case = create_case_of_schema(
        MigrationExecutor(connection).loader.project_state(BEFORE).apps, customer
    )
    closed = status in (CaseStatus.RESOLVED, CaseStatus.INVALID)
    Case.objects.filter(pk=case.pk).update(
        status=status, closed_at=case.status_changed_at if closed else None
    )
    return case


def status_changed(case, old, new):
    AuditEvent.objects.create(
        action=Action.CASE_STATUS_CHANGED,
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case.pk,
        subject_label=str(case.pk),
        details={"old": old, "new": new},
    )


def test_it_reads_the_statuses_a_case_went_through_from_the_audit_trail(old_schema, customer):
    traced = old_case(customer, CaseStatus.INVALID)
    status_changed(traced, "new", "waiting_customer")
    status_changed(traced, "waiting_customer", "waiting_eset")
    status_changed(traced, "waiting_eset", "invalid")
    untraced = old_case(customer, CaseStatus.RESOLVED)  # the demo seed leaves no trail
    fresh = old_case(customer, CaseStatus.NEW)

    MigrationExecutor(connection).migrate(AFTER)

    reached = dict(Case.objects.values_list("pk", "statuses_reached"))
    assert reached[traced.pk] == ["new", "waiting_customer", "waiting_eset", "invalid"]
    assert reached[untraced.pk] == ["new", "resolved"]
    assert reached[fresh.pk] == ["new"]
