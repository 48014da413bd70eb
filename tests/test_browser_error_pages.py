"""In Chromium, what a person sees of an error: the portal's own page, in their language, with
the frame they know and the way back (the statuses one by one: test_error_pages.py)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.helpers import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WORDS = {
    "ja-JP": {
        "lost": "ページが見つかりません",
        "not_here": "このアドレスは直接開くことはできません",
        "back": "「サービスとケース」に戻る",
        "home": "サービスとケース",
    },
    "en-GB": {
        "lost": "Page not found",
        "not_here": "This address cannot be opened directly",
        "back": "Back to Services and cases",
        "home": "Services and cases",
    },
}


def expected_only(problems, status) -> bool:
    """The page's own status is what the browser reports (HTTP and console); nothing else."""
    return all(f" {status}" in problem for problem in problems)


def test_it_shows_a_lost_visitor_our_page_in_their_language_and_the_way_back(page):
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text(WORDS["ja-JP"]["lost"])
    expect(page.get_by_test_id("error-code")).to_have_text("エラーコード: 404")
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert violations == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"

    switcher = page.get_by_test_id("language-switcher")
    switcher.locator("summary").click()
    switcher.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WORDS["en-GB"]["lost"])
    expect(page).to_have_url(re.compile(r"/no-such-page/$"))

    page.get_by_role("link", name=WORDS["en-GB"]["back"]).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert expected_only(page.problems, 404)


@pytest.mark.parametrize("locale", ["ja-JP", "en-GB"])
def test_it_keeps_a_customer_who_opens_a_button_address_signed_in_and_shows_the_way_back(
    new_page, customer, locale
):
    customer.language = locale[:2]
    customer.save(update_fields=["language"])
    w = WORDS[locale]
    page = signed_in_page(new_page, customer, locale)
    expect(page.get_by_role("heading", name=w["home"])).to_be_visible()

    response = page.goto("/accounts/logout/")  # a bookmark of the log-out button's address
    assert response.status == 405
    expect(page.get_by_role("heading", level=1)).to_have_text(w["not_here"])
    expect(page.get_by_role("navigation").get_by_role("link", name=w["home"])).to_be_visible()
    page.get_by_role("link", name=w["back"]).click()
    expect(page.get_by_role("heading", name=w["home"])).to_be_visible()
    assert expected_only(page.problems, 405)
