"""The operators' queue in Chromium: an overdue case said in words, the views with their
counts, and a bulk assignment from Unassigned to Mine."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, CaseStatus
from desk.models import SavedView
from tests.factories import create_case
from tests.helpers import assert_accessible, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ja": {"overdue": "超過", "unassigned": "担当者なし", "mine": "自分の担当"},
    "en": {"overdue": "overdue", "unassigned": "Unassigned", "mine": "Mine"},
}


@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_lets_an_operator_take_unassigned_cases_from_the_queue(
    new_page, operator, customer, language, locale
):
    operator.language = language
    operator.save()
    late = create_case(customer, subject="期限切れのケース", status=CaseStatus.WAITING_FOR_ESET)
    Case.objects.filter(pk=late.pk).update(
        response_due_at=timezone.now() - dt.timedelta(hours=2, minutes=10)
    )
    other = create_case(customer, subject="未割り当てのケース")
    create_case(customer, subject="三つ目のケース")
    create_case(customer, subject="担当中のケース", assigned_to=operator)
    SavedView.objects.create(owner=operator, name="遅れているケース", query="view=overdue")
    w = WORDS[language]

    page = signed_in_page(new_page, operator, locale)
    page.goto("/admin/cases/case/")
    overdue = page.get_by_test_id("overdue")
    expect(overdue).to_contain_text(f"2 {'時間' if language == 'ja' else 'h'}")
    expect(overdue).to_contain_text(w["overdue"])
    expect(page.get_by_test_id("count-mine")).to_have_text("1")
    expect(page.get_by_test_id("count-unassigned")).to_have_text("3")
    expect(page.get_by_test_id("count-overdue")).to_have_text("1")
    assert_accessible(page, f"queue ({language})")

    page.get_by_test_id("view-unassigned").click()
    expect(page.get_by_test_id("view-unassigned")).to_have_attribute("aria-current", "page")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    # The overdue case comes first: it is awaiting ESET and due soonest.
    expect(page.locator("#result_list tbody tr").first).to_contain_text("期限切れのケース")
    for case in (late, other):
        page.locator(f"input.action-select[value='{case.pk}']").check()
    page.locator("select[name=action]").select_option("assign_to_me")
    page.locator(".actions button[name=index]").click()

    expect(page.locator(".messagelist")).to_contain_text("2")
    expect(page.get_by_test_id("count-mine")).to_have_text("3")
    expect(page.get_by_test_id("count-unassigned")).to_have_text("1")
    page.get_by_test_id("view-mine").click()
    expect(page.get_by_test_id("view-mine")).to_contain_text(w["mine"])
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    expect(page.locator("#result_list")).to_contain_text("未割り当てのケース")
    assert page.problems == []
