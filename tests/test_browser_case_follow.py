"""Chapter 3 in Chromium: a customer and an operator answer each other on one case."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import CaseStatus
from cases.services import case_update
from tests.factories import create_case, create_message
from tests.helpers import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ja": {
        "chatter": "チャット",
        "attachments": "添付ファイル",
        "share": "投稿を共有",
        "yes": "はい、共有します",
        "upload": "アップロード",
        "waiting_eset": "ESETの対応待ち",
        "waiting_you": "お客さまの回答待ち",
    },
    "en": {
        "chatter": "Chatter",
        "attachments": "Attachments",
        "share": "Share post",
        "yes": "Yes, share it",
        "upload": "Upload",
        "waiting_eset": "Waiting for ESET",
        "waiting_you": "Waiting for your input",
    },
}


@pytest.fixture
def case(customer, company):
    return create_case(customer, subject="駆除できないウイルス")


@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_lets_a_customer_and_an_operator_answer_each_other(
    new_page, customer, operator, case, settings, tmp_path, language, locale
):
    settings.CHATTER_POLL_SECONDS = 1
    customer.language = operator.language = language
    customer.save()
    operator.save()
    w = WORDS[language]

    customer_page = signed_in_page(new_page, customer, locale)
    customer_page.goto(f"/cases/{case.number}/?tab=chatter")
    customer_page.locator("#id_body").fill("ログを添付しました / Logs attached")
    customer_page.get_by_role("button", name=w["share"]).click()
    customer_page.get_by_role("button", name=w["yes"]).click()
    expect(customer_page.get_by_test_id("case-status")).to_have_text(w["waiting_eset"])

    customer_page.get_by_role("link", name=w["attachments"]).click()
    log = tmp_path / "eset-log.txt"
    log.write_text("ESET Log Collector output\n")
    customer_page.locator("#id_files").set_input_files(str(log))
    customer_page.get_by_role("button", name=w["upload"]).click()
    expect(customer_page.get_by_test_id("attachments")).to_contain_text("eset-log.txt")

    # The customer opens Chatter before the operator answers, and keeps the tab open.
    customer_page.get_by_role("link", name=w["chatter"]).click()
    expect(customer_page).to_have_url(re.compile(r"tab=chatter"))
    expect(customer_page.locator("#chatter-poll")).to_be_attached()
    customer_page.evaluate("window.openedBeforeTheReply = true")

    operator_page = signed_in_page(new_page, operator, locale)
    operator_page.goto(f"/admin/cases/case/{case.pk}/change/")
    expect(operator_page.get_by_test_id("admin-thread")).to_contain_text("Logs attached")
    expect(operator_page.get_by_role("link", name="eset-log.txt")).to_be_visible()
    operator_page.locator("#id_reply_body").fill(
        "確認しました。レポートをご覧ください。\nSee the report."
    )
    operator_page.locator(".hub-admin-reply input[type=submit]").click()
    expect(operator_page.get_by_test_id("admin-thread")).to_contain_text("See the report.")
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.7\nreport\n")
    operator_page.locator("input[name=files]").set_input_files(str(report))
    operator_page.locator("form[enctype='multipart/form-data'] input[type=submit]").last.click()
    expect(operator_page.get_by_role("link", name="report.pdf")).to_be_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_FOR_CUSTOMER

    # htmx's poll brings the reply and the new status into the open tab, without a reload.
    thread = customer_page.get_by_test_id("thread")
    expect(thread).to_contain_text("See the report.")
    expect(thread).to_contain_text("確認しました")
    expect(customer_page.get_by_test_id("case-status")).to_have_text(w["waiting_you"])
    assert customer_page.evaluate("window.openedBeforeTheReply") is True, "the page reloaded"

    customer_page.get_by_role("link", name=w["attachments"]).click()
    with customer_page.expect_download() as download:
        customer_page.get_by_role("link", name="report.pdf").click()
    assert download.value.suggested_filename == "report.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert customer_page.problems == []
    assert operator_page.problems == []


def test_it_brings_replies_and_status_changes_by_polling_once_each(
    new_page, customer, operator, case, settings
):
    settings.CHATTER_POLL_SECONDS = 1
    customer.language = "en"
    customer.save()
    create_message(case, customer, "Logs attached")
    page = signed_in_page(new_page, customer, "en-GB")
    page.goto(f"/cases/{case.number}/?tab=chatter")
    messages = page.get_by_test_id("thread").get_by_test_id("message")
    expect(messages).to_have_count(1)
    page.evaluate("window.openedBeforeTheReply = true")

    def polls_answered(status):
        """Wait until the page's poll has been answered with `status`, twice over."""
        for _ in range(2):
            with page.expect_response(
                lambda r: "/chatter/updates/" in r.url and r.status == status
            ):
                pass

    # Nothing new: the polls are answered 204 and change nothing.
    polls_answered(204)
    expect(messages).to_have_count(1)

    create_message(case, operator, "An internal note", internal=True)
    create_message(case, operator, "See the report.")
    expect(messages).to_have_count(2)
    expect(messages.last).to_contain_text("See the report.")
    expect(page.get_by_test_id("case-status")).to_have_text(WORDS["en"]["waiting_you"])
    # The next polls bring nothing twice, and never the note.
    polls_answered(204)
    expect(messages).to_have_count(2)
    expect(page.get_by_test_id("thread")).not_to_contain_text("An internal note")

    # A status changed by an operator, with no message, arrives too.
    case.refresh_from_db()
    case_update(
        case=case, operator=operator, status=CaseStatus.RESOLVED, stage=None, assigned_to=None
    )
    expect(page.get_by_test_id("case-status")).to_have_text("Resolved")
    polls_answered(204)
    expect(messages).to_have_count(2)
    assert page.evaluate("window.openedBeforeTheReply") is True, "the page reloaded"
    assert page.problems == []
