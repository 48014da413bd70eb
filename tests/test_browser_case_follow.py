"""Chapter 3 in Chromium: a customer and an operator answer each other on one case."""

import uuid
from pathlib import Path

import pytest

from cases.models import Case, CaseStatus
from catalog.models import MainContent, Priority, Problem, Service
from tests.conftest import subscribe
from tests.test_browser_case_create import signed_in_page

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
    subscription = subscribe(company, "premium-support")
    case = Case.objects.create(
        company=company,
        created_by=customer,
        subscription=subscription,
        service=Service.objects.get(code="premium-support"),
        subject="駆除できないウイルス",
        main_content=MainContent.objects.get(code="malware"),
        problem=Problem.objects.get(code="virus-not-removed"),
        priority=Priority.objects.get(code="normal"),
        description="説明",
        submission_id=uuid.uuid4(),
    )
    case.number = f"{1000 + case.pk:08d}"
    case.save()
    return case


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
    assert customer_page.get_by_test_id("case-status").inner_text() == w["waiting_eset"]

    customer_page.get_by_role("link", name=w["attachments"]).click()
    log = tmp_path / "eset-log.txt"
    log.write_text("ESET Log Collector output\n")
    customer_page.locator("#id_files").set_input_files(str(log))
    customer_page.get_by_role("button", name=w["upload"]).click()
    assert "eset-log.txt" in customer_page.get_by_test_id("attachments").inner_text()

    operator_page = signed_in_page(new_page, operator, locale)
    operator_page.goto(f"/admin/cases/case/{case.pk}/change/")
    thread = operator_page.get_by_test_id("admin-thread").inner_text()
    assert "Logs attached" in thread
    assert "eset-log.txt" in operator_page.content()
    operator_page.locator("#id_reply_body").fill(
        "確認しました。レポートをご覧ください。\nSee the report."
    )
    operator_page.locator(".hub-admin-reply input[type=submit]").click()
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.7\nreport\n")
    operator_page.locator("input[name=files]").set_input_files(str(report))
    operator_page.locator("form[enctype='multipart/form-data'] input[type=submit]").last.click()
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_FOR_CUSTOMER

    # The customer's Chatter tab, opened before the reply, shows it without a reload.
    customer_page.get_by_role("link", name=w["chatter"]).click()
    customer_page.get_by_text("See the report.").wait_for()
    customer_page.get_by_text("確認しました").wait_for()
    customer_page.goto(f"/cases/{case.number}/?tab=chatter")
    assert customer_page.get_by_test_id("case-status").inner_text() == w["waiting_you"]

    customer_page.get_by_role("link", name=w["attachments"]).click()
    with customer_page.expect_download() as download:
        customer_page.get_by_role("link", name="report.pdf").click()
    assert download.value.suggested_filename == "report.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert customer_page.problems == []
    assert operator_page.problems == []
