"""The migration that put the case lifecycle's invariants into the database, run on old rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases.models import Case, CaseStatus
from tests.factories import create_case_of_schema
from tests.migrations import schema_at

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("cases", "0002_case_assigned_to_case_follows_case_status_changed_at_and_more")]
AFTER = [("cases", "0003_case_lifecycle_constraints")]


@pytest.fixture
def old_schema(catalogue):
    with schema_at(BEFORE):
        yield


def old_case(customer):
    return create_case_of_schema(
        MigrationExecutor(connection).loader.project_state(BEFORE).apps, customer
    )


def test_it_mends_closed_at_before_the_database_keeps_it(old_schema, customer):
    # Rows an old seed or a hand edit could leave: closed without closed_at, open with one.
    closed = old_case(customer)
    reopened = old_case(customer)
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.RESOLVED)
    Case.objects.filter(pk=reopened.pk).update(closed_at=timezone.now())

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    closed.refresh_from_db()
    reopened.refresh_from_db()
    assert closed.closed_at == closed.status_changed_at
    assert reopened.closed_at is None


def test_it_refuses_to_guess_an_unknown_status_and_changes_nothing(old_schema, customer):
    odd = old_case(customer)
    Case.objects.filter(pk=odd.pk).update(status="archived")

    executor = MigrationExecutor(connection)
    with pytest.raises(RuntimeError, match="archived"):
        executor.migrate(AFTER)

    assert Case.objects.filter(pk=odd.pk, status="archived").exists()
    Case.objects.filter(pk=odd.pk).update(status=CaseStatus.NEW)  # lets the fixture migrate up
