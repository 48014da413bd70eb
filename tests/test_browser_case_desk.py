"""An operator answers from the case page, in Japanese and English: the customer's context
beside the thread, a saved reply chosen and inserted with the customer's name and its status
preselected, a colleague answering first (seen on the page as they come, then the warning
with the typed text kept), and the reply posted anyway at the top with the new status. axe-core
on the page."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import CaseStatus
from desk import presence
from desk.models import SavedReply
from tests.factories import create_case, create_message, create_user, subscribe, with_authenticator
from tests.helpers import assert_accessible, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ja": {
        "saved": "解決のご連絡",
        "status": "解決済み",
        "state": "有効",
        "viewing": "山田 太郎 がこのケースを表示しています",
        "not_posted": "返信は投稿されていません",
        "anyway": "このまま投稿",
        "posted": "返信を投稿しました",
    },
    "en": {
        "saved": "Resolved",
        "status": "Resolved",
        "state": "Active",
        "viewing": "山田 太郎 is viewing this case",
        "not_posted": "Your reply was not posted",
        "anyway": "Post anyway",
        "posted": "Your reply was posted.",
    },
}


def checked_by_axe(page, name):
    """axe-core on the page as it stands, after checking the page had no problem so far: axe
    injects a style of its own, which the CSP refuses (a console error that is not the page's)."""
    assert page.problems == [], page.problems
    assert_accessible(page, name)
    page.problems.clear()


@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_answers_with_a_saved_reply_after_a_colleague_answered_first(
    new_page, customer, operator, monkeypatch, language, locale
):
    monkeypatch.setattr(presence, "PRESENCE_BEAT", 1)  # the page's heartbeat, in seconds
    w = WORDS[language]
    for person in (customer, operator):
        person.language = language
        person.save()
    colleague = create_user(
        email="yamada@eset.example", full_name="山田 太郎", is_staff=True, is_superuser=True
    )
    colleague.language = language
    colleague.save()
    with_authenticator(colleague)
    SavedReply.objects.create(
        title_ja="解決のご連絡",
        title_en="Resolved",
        body_ja="{customer_name} 様\nケース {case_number} をクローズします。{operator_name}",
        body_en="Dear {customer_name},\nI am closing case {case_number}. {operator_name}",
        sets_status=CaseStatus.RESOLVED,
    )
    subscribe(customer.company, "mdr", included=10, used=4)
    case = create_case(customer, subject="駆除できないウイルス")
    create_case(customer, subject="別の問い合わせ")
    create_message(case, customer, "ログを添付しました / Logs attached")
    url = f"/admin/cases/case/{case.pk}/change/"

    page = signed_in_page(new_page, operator, locale)
    page.goto(url)
    context = page.get_by_test_id("case-context")
    expect(context).to_contain_text(customer.company.name)
    expect(context.get_by_test_id("context-subscriptions")).to_contain_text(
        re.compile(w["state"], re.I)
    )
    expect(context.get_by_role("link", name=re.compile(r"^\d{8}$"))).to_have_count(1)
    checked_by_axe(page, f"the case page ({language})")

    # One step: the text goes in at the cursor, its status is chosen.
    body = page.locator("#id_reply_body")
    page.locator("#id_saved_reply").select_option(label=w["saved"])
    expect(body).to_have_value(re.compile(f"{customer.full_name}.*{case.number}", re.S))
    expect(page.locator("#id_status_after")).to_have_value(CaseStatus.RESOLVED)
    body.press("End")
    body.type(" PS")
    typed = body.input_value()

    # A colleague opens the case too (seen by the first page's heartbeat), and answers first.
    other = signed_in_page(new_page, colleague, locale)
    other.goto(url)
    expect(page.get_by_test_id("case-presence")).to_contain_text(w["viewing"])
    other.locator("#id_reply_body").fill("山田です。確認します。 / Yamada here.")
    other.locator(".hub-admin-reply input[type=submit]").click()
    expect(other.get_by_test_id("admin-thread")).to_contain_text("Yamada here.")

    page.locator(".hub-admin-reply input[type=submit]").click()
    warning = page.get_by_test_id("reply-collision")
    expect(warning).to_contain_text(w["not_posted"])
    expect(warning).to_contain_text("山田 太郎")
    expect(page.get_by_test_id("admin-thread")).to_contain_text("Yamada here.")
    expect(body).to_have_value(typed)
    expect(page.locator("#id_status_after")).to_have_value(CaseStatus.RESOLVED)
    checked_by_axe(page, f"the case page with the warning ({language})")

    page.get_by_role("button", name=w["anyway"]).click()
    expect(page.locator(".messagelist")).to_contain_text(w["posted"])
    newest = page.get_by_test_id("admin-thread").locator("article").first
    expect(newest).to_contain_text("PS")
    expect(page.locator("#id_status option:checked")).to_have_text(w["status"])
    expect(body).to_have_value("")
    assert page.problems == [], page.problems
    assert other.problems == [], other.problems
