"""In Chromium: the login page loads cleanly and the language switcher changes the language."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_switches_the_login_page_to_english_and_back_without_errors(page):
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", name="ログイン").is_visible()

    switcher = page.get_by_test_id("language-switcher")
    switcher.locator("summary").click()
    switcher.get_by_role("button", name="English").click()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Log in").is_visible()
    assert page.url.endswith("/accounts/login/?next=/"), "stays on the same page"

    switcher.locator("summary").click()
    switcher.get_by_role("button", name="日本語").click()
    assert page.get_by_role("heading", name="ログイン").is_visible()
    assert page.problems == []


def test_it_lays_the_page_out_at_a_phone_width(page):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/accounts/login/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "no horizontal scrolling on a phone"
    assert page.get_by_role("button", name="ログイン").is_visible()
    assert page.problems == []
