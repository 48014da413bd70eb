"""Chapter 2 of the guide in Chromium: the guide's example case, with and without JavaScript."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Case
from tests.conftest import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ja": {
        "create_case": "新しいケースを作成",
        "service": "サービス",
        "subject": "件名",
        "product_id": "商品ID",
        "product": "製品",
        "version": "製品のバージョン",
        "os": "OS",
        "main": "主な内容",
        "problem": "問題",
        "priority": "優先度",
        "description": "説明",
        "create": "作成",
        "malware": "マルウェア",
        "virus": "ウイルスが駆除できませんでした",
        "normal": "一般",
        "complete": "このフィールドを入力してください。",
        "created": "を作成しました",
    },
    "en": {
        "create_case": "Create new case",
        "service": "Service",
        "subject": "Subject",
        "product_id": "Product ID",
        "product": "Product",
        "version": "Product version",
        "os": "OS",
        "main": "Main content",
        "problem": "Problem",
        "priority": "Priority",
        "description": "Description",
        "create": "Create",
        "malware": "Malware",
        "virus": "Virus cannot be removed",
        "normal": "Normal",
        "complete": "Complete this field.",
        "created": "was created",
    },
}


def signed_in_page(new_page, user, locale, *, java_script_enabled=True):
    """A browser signed in the way a person does it: password, then the app's code."""
    page = new_page(locale, java_script_enabled=java_script_enabled)
    page.goto("/accounts/login/")
    page.locator("#id_email").fill(user.email)
    page.locator("#id_password").fill("Correct-Horse-9-Battery")
    page.locator("main button[type=submit]").click()
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.locator("#id_code").fill(totp_code(device))
    page.locator("main button[type=submit]").click()
    return page


def select(page, field_id, label):
    page.locator(f"#{field_id}").select_option(label=label)


def fill_guide_example(page, w, *, scripted):
    select(page, "id_service", "ESET Premium Support")
    page.locator("#id_subject").fill("駆除できないウイルス / A virus that cannot be removed")
    page.locator("#id_product_query").fill("endpoint sec")
    if not scripted:
        page.get_by_role("button", name="検索" if w is WORDS["ja"] else "Search").click()
    product = page.locator("#id_product")

    print(
        "PROBLEMS",
        page.problems,
        page.evaluate("typeof htmx"),
        page.locator("#id_product_query").get_attribute("hx-trigger"),
    )
    product.locator("option", has_text="ESET Endpoint Security for Android").wait_for(
        state="attached"
    )
    select(page, "id_product", "ESET Endpoint Security")
    if not scripted:
        page.get_by_role(
            "button",
            name="この製品のバージョンとOSを表示"
            if w is WORDS["ja"]
            else "Show versions and OS of this product",
        ).click()
    page.locator("#id_product_version option", has_text="11.0").wait_for(state="attached")
    select(page, "id_product_version", "11.0")
    select(page, "id_operating_system", "Windows 11")
    select(page, "id_main_content", w["malware"])
    if not scripted:
        page.get_by_role(
            "button",
            name="この主な内容の問題を表示"
            if w is WORDS["ja"]
            else "Show the problems of this main content",
        ).click()
    page.locator("#id_problem option", has_text=w["virus"]).wait_for(state="attached")
    select(page, "id_problem", w["virus"])
    assert page.locator("#id_priority option:checked").inner_text() == w["normal"]
    page.locator("#id_description").fill("検出されたウイルスが駆除できません。\nDetails follow.")


@pytest.mark.parametrize(
    ("language", "locale", "scripted"),
    [("ja", "ja-JP", True), ("en", "en-GB", True), ("ja", "ja-JP", False)],
    ids=["japanese", "english", "japanese-without-javascript"],
)
def test_it_files_the_guides_example_case(
    new_page, customer, lite_services, language, locale, scripted
):
    customer.language = language
    customer.save()
    w = WORDS[language]
    page = signed_in_page(new_page, customer, locale, java_script_enabled=scripted)
    page.get_by_role("link", name=w["create_case"]).first.click()
    assert page.get_by_role("heading", name=w["create_case"]).is_visible()

    # Create with nothing filled in: every required field says so in the user's language.
    page.get_by_role("button", name=w["create"], exact=True).click()
    assert page.get_by_text(w["complete"]).first.is_visible()

    fill_guide_example(page, w, scripted=scripted)
    page.get_by_role("button", name=w["create"], exact=True).click()

    case = Case.objects.get()
    assert page.url.endswith(f"/cases/{case.number}/")
    assert w["created"] in page.locator(".hub-messages").inner_text()
    assert page.get_by_test_id("case-number").inner_text() == case.number
    assert case.product_version.version == "11.0"
    assert case.problem.code == "virus-not-removed"
    assert "駆除できないウイルス" in case.subject, "nothing typed was lost to a refresh"
    assert page.problems == []
