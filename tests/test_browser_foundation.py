"""In Chromium: the login page loads cleanly and the language switcher changes the language."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LOGIN_PAGE = re.compile(r"/accounts/login/\?next=/$")


def test_it_switches_the_login_page_to_english_and_back_without_errors(page):
    page.goto("/")
    expect(page).to_have_url(LOGIN_PAGE)
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()

    switcher = page.get_by_test_id("language-switcher")
    switcher.locator("summary").click()
    switcher.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page).to_have_url(LOGIN_PAGE)  # stays on the same page

    switcher.locator("summary").click()
    switcher.get_by_role("button", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    assert page.problems == []


def test_it_lays_the_page_out_at_a_phone_width(page):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "no horizontal scrolling on a phone"
    assert page.problems == []
