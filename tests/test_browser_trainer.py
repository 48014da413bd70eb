"""Trainer mode in Chromium: a trainee with no phone walks the guide's three chapters."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cases.models import Case, Message
from tests.helpers import CASE_FORM_WORDS as FORM_WORDS
from tests.helpers import classroom_url, fill_guide_example, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Kasumi-Gaseki-2025!"


@pytest.fixture
def classroom(settings, live_server, catalogue):
    settings.DEMO_MODE = True
    settings.OUTBOX_KEEP_BODIES = True
    settings.SITE_URL = live_server.url
    call_command("demo", "--reset", verbosity=0)
    call_command("demo", "--trainees", "1", verbosity=0)


def read_code(page) -> str:
    code = page.get_by_test_id("on-screen-code")
    expect(code).to_have_text(re.compile(r"^\s*\d{3} \d{3}\s*$"))
    return re.sub(r"\D", "", code.inner_text())


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()


def test_it_lets_a_trainee_without_a_phone_walk_the_whole_guide(classroom, new_page):
    page = new_page("ja-JP")
    # Chapter 1: the invitation email, from the outbox.
    page.goto(classroom_url())
    page.get_by_role("link", name="ESET Services HUB – 登録を完了してください").first.click()
    page.get_by_test_id("email-body").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="登録を完了してください")).to_be_visible()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("利用規約に同意します").check()
    page.get_by_role("button", name="続行").click()
    expect(page.locator(".hub-messages")).to_contain_text("登録が完了しました")
    email = "trainee01@training.example"
    expect(page.locator('[data-step="register"]')).to_have_attribute("data-done", "true")

    page.locator("details.hub-menu").last.locator("summary").click()
    page.get_by_role("button", name="ログアウト").click()
    sign_in(page, email)
    page.get_by_text("Authenticatorアプリケーションからの確認コードを使用").click()
    page.locator("#id_code").fill(read_code(page))
    page.get_by_role("button", name="接続").click()
    page.get_by_role("button", name="コードを保存しました — 続行").click()
    expect(page.locator('[data-step="two_factor"]')).to_have_attribute("data-done", "true")

    # Chapter 2: the guide's example case.
    page.get_by_role("link", name="新しいケースを作成").first.click()
    fill_guide_example(page, FORM_WORDS["ja"], scripted=True)
    page.get_by_role("button", name="作成", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cases/\d{8}/$"))
    case = Case.objects.get(created_by__email=email)
    assert page.url.endswith(f"/cases/{case.number}/")

    # Chapter 3: an update in Chatter.
    page.get_by_role("link", name="チャット").click()
    page.locator("#id_body").fill("ログを確認しました。よろしくお願いします。")
    page.get_by_role("button", name="投稿を共有").click()
    page.get_by_role("button", name="はい、共有します").click()
    expect(page.locator('[data-step="chatter"]')).to_have_attribute("data-done", "true")
    assert Message.objects.filter(case=case).count() == 1
    assert page.problems == []


# Each word of the tour's second chapter title spans one line in the sidebar beside the form
# (Range.getClientRects, as tests/test_browser_page_widths.py measures table cells).
LINES_OF = """
([title, words]) => {
  const item = [...document.querySelectorAll("[data-testid=tour] li")]
    .find((li) => li.textContent.trim() === title);
  const texts = [...item.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE);
  return words.map((word) => {
    const node = texts.find((text) => text.data.includes(word));
    const range = document.createRange();
    const at = node.data.indexOf(word);
    range.setStart(node, at);
    range.setEnd(node, at + word.length);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top)).size;
  });
}
"""
CHAPTER_TWO = {
    "ja": ("2. お問い合わせチケットの作成", ["お問い合わせ", "チケット", "作成"]),
    "en": ("2. Creating a case", ["Creating", "case"]),
}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_breaks_no_word_of_the_tours_chapter_titles_beside_the_form(
    new_page, customer, settings, language
):
    settings.DEMO_MODE = True
    customer.language = language
    customer.save()
    title, words = CHAPTER_TWO[language]
    page = signed_in_page(new_page, customer, {"ja": "ja-JP", "en": "en-GB"}[language])
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/cases/new/")
    expect(page.get_by_test_id("tour").get_by_text(title)).to_be_visible()
    assert page.evaluate(LINES_OF, [title, words]) == [1] * len(words)
