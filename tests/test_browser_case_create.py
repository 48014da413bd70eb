"""Chapter 2 of the guide in Chromium: the guide's example case, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.helpers import CASE_FORM_WORDS, fill_guide_example, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    w = CASE_FORM_WORDS[language]
    page = signed_in_page(new_page, customer, locale, java_script_enabled=scripted)
    page.get_by_role("link", name=w["create_case"]).first.click()
    expect(page.get_by_role("heading", name=w["create_case"])).to_be_visible()

    # Create with nothing filled in: every required field says so in the user's language.
    page.get_by_role("button", name=w["create"], exact=True).click()
    expect(page.get_by_text(w["complete"]).first).to_be_visible()

    fill_guide_example(page, w, scripted=scripted)
    page.get_by_role("button", name=w["create"], exact=True).click()

    expect(page).to_have_url(re.compile(r"/cases/[0-9]{8}/$"))
    case = Case.objects.get()
    expect(page).to_have_url(re.compile(f"/cases/{case.number}/$"))
    expect(page.locator(".hub-messages")).to_contain_text(w["created"])
    expect(page.get_by_test_id("case-number")).to_have_text(case.number)
    assert case.product_version.version == "11.0"
    assert case.problem.code == "virus-not-removed"
    assert "駆除できないウイルス" in case.subject, "nothing typed was lost to a refresh"
    assert page.problems == []
