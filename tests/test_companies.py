"""Companies and their service subscriptions: the states the dashboard tiles will show."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import ServiceSubscription, TileState
from catalog.models import Service

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 29)


def subscription(company, code="premium-support", *, days_left=200, included=None, used=0):
    return ServiceSubscription(
        company=company,
        service=Service.objects.get(code=code),
        valid_from=TODAY - dt.timedelta(days=100),
        valid_to=TODAY + dt.timedelta(days=days_left),
        sub_services_included=included,
        sub_services_used=used,
    )


@pytest.mark.parametrize(
    ("days_left", "included", "used", "state", "allows"),
    [
        (200, None, 0, TileState.ACTIVE, True),
        (200, 5, 4, TileState.ACTIVE, True),
        (200, 5, 5, TileState.USED_UP, False),
        (30, None, 0, TileState.WARNING, True),
        (31, None, 0, TileState.ACTIVE, True),
        (0, None, 0, TileState.WARNING, True),
        (-1, None, 0, TileState.EXPIRED, False),
        (10, 3, 3, TileState.USED_UP, False),
    ],
)
def test_it_derives_the_tile_state_from_dates_and_counters(
    company, days_left, included, used, state, allows
):
    sub = subscription(company, days_left=days_left, included=included, used=used)
    assert sub.state(TODAY) == state
    assert sub.allows_new_cases(TODAY) is allows


def test_it_is_not_yet_valid_before_its_start(company):
    sub = subscription(company)
    sub.valid_from = TODAY + dt.timedelta(days=1)
    assert sub.state(TODAY) == TileState.UPCOMING
    assert not sub.allows_new_cases(TODAY)


def test_it_refuses_more_used_than_included_in_the_database(company):
    with pytest.raises(IntegrityError):
        subscription(company, included=2, used=3).save()


def test_it_refuses_a_service_outside_the_company_plan_in_the_admin(operator_client, company):
    ultimate_only = Service.objects.get(code="mdr-ultimate")
    url = reverse("admin:accounts_company_change", args=[company.pk])
    response = operator_client.post(
        url,
        {
            "name": company.name,
            "plan": company.plan.pk,
            "subscriptions-TOTAL_FORMS": 1,
            "subscriptions-INITIAL_FORMS": 0,
            "subscriptions-0-service": ultimate_only.pk,
            "subscriptions-0-valid_from": "2026-01-01",
            "subscriptions-0-valid_to": "2026-12-31",
            "subscriptions-0-sub_services_used": 0,
        },
    )
    assert response.status_code == 200
    assert "このサービスは会社の契約プランに含まれていません。" in response.content.decode()
    assert not company.subscriptions.exists()


def test_it_shows_companies_with_their_subscriptions_to_operators(operator_client, company):
    subscription(company, included=5, used=5).save()
    url = reverse("admin:accounts_company_change", args=[company.pk])
    content = operator_client.get(url).content.decode()
    assert "ESET Premium Support" in content
    assert "サブサービスをすべて使用済み" in content
    users = operator_client.get(reverse("admin:accounts_user_changelist")).status_code
    assert users == 200


def test_it_keeps_operators_out_of_customer_companies(make_user, company):
    with pytest.raises(IntegrityError):
        make_user(is_staff=True, company=company)
