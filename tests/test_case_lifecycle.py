"""The case lifecycle on the model: numbering, status changes, reopening and follow-ups, and the
database constraints that keep it whoever writes the row."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseClosed, CaseStatus
from tests.factories import create_case
from tests.helpers import guide_example

pytestmark = pytest.mark.django_db


def test_it_numbers_portal_seed_and_factory_cases_from_one_setting(
    settings, customer_client, customer, lite_services
):
    settings.CASE_NUMBER_START = 4_200_000
    settings.DEMO_MODE = True
    customer_client.post(reverse("cases:create"), guide_example())
    portal = Case.objects.get(created_by=customer)
    made = create_case(customer)
    call_command("demo", "--reset", verbosity=0)
    seeded = list(Case.objects.filter(company__is_demo=True))
    assert seeded
    for case in [portal, made, *seeded]:
        assert case.number == Case.number_for(case.pk) == f"{4_200_000 + case.pk:08d}"


def test_it_stamps_a_status_change_and_clears_closed_at_on_reopening(customer):
    case = create_case(customer)
    closing = timezone.now() - dt.timedelta(hours=2)
    assert case.move_to(CaseStatus.RESOLVED, now=closing)
    assert case.status_changed_at == case.closed_at == closing
    reopening = closing + dt.timedelta(hours=1)
    assert case.move_to(CaseStatus.WAITING_FOR_ESET, now=reopening)
    assert (case.status_changed_at, case.closed_at) == (reopening, None)
    case.save()
    case.refresh_from_db()
    assert not case.move_to(CaseStatus.WAITING_FOR_ESET), "the same status is no change"
    assert case.status_changed_at == reopening


def test_it_refuses_a_status_that_does_not_exist(customer):
    case = create_case(customer)
    with pytest.raises(ValueError, match="archived"):
        case.move_to("archived")
    assert case.status == CaseStatus.NEW


def test_it_reopens_only_a_case_closed_within_the_window(customer, settings):
    settings.CASE_REOPEN_DAYS = 14
    now = timezone.now()
    open_case = create_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER)
    assert not open_case.is_reopenable(now), "an open case has nothing to reopen"
    assert open_case.reopen_window_ends_at is None
    assert not open_case.needs_follow_up(now)

    closed = create_case(customer, status=CaseStatus.RESOLVED, moved_at=now - dt.timedelta(days=3))
    assert closed.reopen_window_ends_at == closed.closed_at + dt.timedelta(days=14)
    assert closed.is_reopenable(now) and not closed.needs_follow_up(now)
    later = closed.reopen_window_ends_at
    assert not closed.is_reopenable(later) and closed.needs_follow_up(later)


def test_it_moves_a_case_as_a_public_post_does(customer, settings):
    settings.CASE_REOPEN_DAYS = 14
    case = create_case(customer)
    assert case.move_for_public_post(by_operator=True)
    assert case.status == CaseStatus.WAITING_FOR_CUSTOMER
    assert case.move_for_public_post(by_operator=False)
    assert case.status == CaseStatus.WAITING_FOR_ESET

    long_closed = create_case(
        customer, status=CaseStatus.INVALID, moved_at=timezone.now() - dt.timedelta(days=15)
    )
    assert not long_closed.move_for_public_post(by_operator=True), "an answer keeps it closed"
    with pytest.raises(CaseClosed):
        long_closed.move_for_public_post(by_operator=False)
    assert long_closed.status == CaseStatus.INVALID


def test_it_seeds_closed_cases_through_move_to(settings, catalogue):
    settings.DEMO_MODE = True
    call_command("demo", "--reset", verbosity=0)
    closed = list(Case.objects.closed())
    assert {case.status for case in closed} == {CaseStatus.RESOLVED, CaseStatus.INVALID}
    assert all(case.closed_at == case.status_changed_at for case in closed)
    assert not Case.objects.open().exclude(closed_at=None).exists()


@pytest.mark.parametrize(
    ("status", "closed"),
    [(CaseStatus.RESOLVED, False), (CaseStatus.NEW, True), ("archived", False)],
)
def test_it_refuses_a_row_the_lifecycle_cannot_make(customer, status, closed):
    case = create_case(customer)
    closed_at = timezone.now() if closed else None
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=status, closed_at=closed_at)
