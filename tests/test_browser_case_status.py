"""A customer keeps a case open while an operator moves it: the badge, the status bar, the
stage bar and the reply button change together, and the reply being typed stays; at a phone's
width (390 px) and a laptop's (1280 px), in Japanese and English. The redraw comes from the
page's polling, so there is no run without JavaScript: without it the page changes only when
reloaded, and nothing is there to redraw."""

import pytest
from playwright.sync_api import expect

from cases.models import CaseStatus
from cases.services import case_update
from catalog.models import Stage
from tests.factories import create_case
from tests.helpers import LAPTOP, PHONE, at_width, reads_naturally, signed_in_page, within_reach

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ja": {
        "new": "新規",
        "resolved": "解決済み",
        "invalid": "無効",
        "completed": "（完了）",
        "not_completed": "（未完了）",
        "reopens": "投稿を共有すると、ケースが再開されます。",
        "plan": "サービスプラン",
    },
    "en": {
        "new": "New",
        "resolved": "Resolved",
        "invalid": "Invalid",
        "completed": "(completed)",
        "not_completed": "(not completed)",
        "reopens": "Sharing an update reopens it.",
        "plan": "Service plan",
    },
}


@pytest.mark.parametrize("width", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_moves_the_badge_and_the_bars_together_and_keeps_the_reply(
    new_page, customer, operator, settings, language, locale, width
):
    settings.CHATTER_POLL_SECONDS = 1  # the page's poll interval (cases/_chatter_poll.html)
    customer.language = language
    customer.save()
    w = WORDS[language]
    case = create_case(customer, service="healthcheck", subject="ヘルスチェックの日程")
    page = at_width(signed_in_page(new_page, customer, locale), width)
    page.goto(f"/cases/{case.number}/?tab=chatter")
    badge = page.get_by_test_id("case-status")
    steps = page.get_by_test_id("status-steps").get_by_role("listitem")
    current = page.get_by_test_id("status-steps").locator("[aria-current=step]")
    expect(badge).to_have_text(w["new"])
    expect(current).to_have_text(w["new"])
    expect(page.get_by_test_id("stage-steps").locator("[aria-current=step]")).to_have_count(0)
    reads_naturally(page, "the case, new")
    typed = "日程の候補です。\nHere are some dates."
    within_reach(page.locator("#id_body"))
    page.locator("#id_body").fill(typed)
    page.evaluate("window.openedBeforeTheChange = true")

    # Straight from New to Resolved, with a stage: nothing in between was ever done.
    case_update(
        case=case,
        operator=operator,
        status=CaseStatus.RESOLVED,
        stage=Stage.objects.get(service=case.service, code="service-plan"),
        assigned_to=None,
    )
    expect(badge).to_have_text(w["resolved"])
    expect(current).to_have_text(w["resolved"])
    expect(steps).to_have_count(4)
    expect(steps.nth(0)).to_contain_text(w["completed"])
    expect(steps.nth(1)).to_contain_text(w["not_completed"])
    expect(steps.nth(2)).to_contain_text(w["not_completed"])
    expect(page.get_by_test_id("stage-steps").locator("[aria-current=step]")).to_have_text(
        w["plan"]
    )
    expect(page.get_by_test_id("chatter-closed")).to_contain_text(w["reopens"])
    expect(page.locator("#id_body")).to_have_value(typed)
    within_reach(current)
    reads_naturally(page, "the case, resolved")

    # Invalid is the end beside Resolved: the last step now reads Invalid, nothing follows.
    case.refresh_from_db()
    case_update(
        case=case, operator=operator, status=CaseStatus.INVALID, stage=case.stage, assigned_to=None
    )
    expect(badge).to_have_text(w["invalid"])
    expect(current).to_have_text(w["invalid"])
    expect(steps.last).to_have_text(w["invalid"])
    expect(page.get_by_test_id("status-steps")).not_to_contain_text(w["resolved"])
    # What a screen reader is told (role=status), besides the step marked aria-current.
    expect(page.get_by_role("status")).to_contain_text(w["invalid"])
    expect(page.locator("#id_body")).to_have_value(typed)
    within_reach(current)
    reads_naturally(page, "the case, invalid")
    assert page.evaluate("window.openedBeforeTheChange") is True, "the page reloaded"
    assert page.problems == []
