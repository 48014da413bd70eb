"""The dashboard: one tile per subscription, and who may create cases from it."""

import re

import pytest
from django.urls import reverse

from tests.factories import subscribe

pytestmark = pytest.mark.django_db
NEW = reverse("cases:create")


def test_it_shows_one_tile_per_subscription_with_its_state(customer_client, company):
    subscribe(company, "premium-support", days_left=200)
    subscribe(company, "mdr", days_left=20)
    subscribe(company, "mdr", days_left=-5)
    subscribe(company, "premium-support", included=3, used=3)
    page = customer_client.get("/")
    content = page.content.decode()
    # In menu order of the services, then by end date.
    assert [tile["state"] for tile in page.context["tiles"]] == [
        "active",
        "used_up",
        "expired",
        "warning",
    ]
    assert content.count('data-state="') == 4
    assert "期限切れ" in content and "まもなく期限切れ" in content
    assert "サブサービスをすべて使用済み" in content
    assert "その他のESETサービスを見る" in content
    assert content.count("?service=premium-support") == 1
    assert content.count("?service=mdr") == 1, "the expired MDR tile offers no link"
    # The used-up and the expired tiles say why they take no case instead of linking.
    refusals = re.findall(r'<button[^>]*aria-describedby="why-[^>]*>', content)
    assert len(refusals) == 2 and all(" disabled" in button for button in refusals)


def test_it_disables_case_creation_when_no_subscription_allows_it(customer_client, company):
    subscribe(company, "premium-support", days_left=-1)
    content = customer_client.get("/").content.decode()
    assert 'href="/cases/new/"' not in content
    assert "新しいケースを作成できるサービスサブスクリプションがありません" in content


def test_it_sends_operators_to_the_admin(operator_client):
    response = operator_client.get("/")
    assert response.status_code == 403
    assert reverse("admin:index") in response.content.decode()
