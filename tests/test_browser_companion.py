"""The guide's mobile-app method in Chromium: a portal window and a HUB Authenticator window."""

import pytest
from django.utils import timezone

from accounts.models import LoginApproval

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Correct-Horse-9-Battery"
WORDS = {
    "ja": {
        "method": "HUB Authenticator モバイルアプリケーションを使用",
        "connect": "接続",
        "saved": "コードを保存しました — 続行",
        "home": "サービスとケース",
        "logout": "ログアウト",
        "deny": "拒否",
        "not_logged_in": "ログインは行われていません",
    },
    "en": {
        "method": "Use the HUB Authenticator mobile app",
        "connect": "Connect",
        "saved": "I have saved my codes — continue",
        "home": "Services and cases",
        "logout": "Log out",
        "deny": "Deny",
        "not_logged_in": "You were not logged in",
    },
}


@pytest.fixture
def newcomer(make_user, company):
    return make_user(email="mobile@example.co.jp", full_name="携帯 花子", company=company)


def password_step(page, user):
    page.goto("/accounts/login/")
    page.locator("#id_email").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()


def log_out(page, w):
    page.locator("details.hub-menu").last.locator("summary").click()
    page.get_by_role("button", name=w["logout"]).click()


def approve(portal, phone, *, pick):
    number = portal.get_by_test_id("approval-number").inner_text().strip()
    card = phone.get_by_test_id("approvals").locator("article", has_text=number).first
    card.wait_for()
    assert "Chrome" in card.inner_text() or "HeadlessChrome" in card.inner_text()
    if pick == "deny":
        card.get_by_role("button", name=WORDS["ja"]["deny"]).or_(
            card.get_by_role("button", name=WORDS["en"]["deny"])
        ).click()
        return
    buttons = card.locator("[data-field=choices] button")
    labels = buttons.all_inner_texts()
    assert number in labels and len(labels) == 3
    chosen = number if pick == "right" else next(label for label in labels if label != number)
    buttons.filter(has_text=chosen).first.click()


@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_pairs_by_phrase_and_approves_logins_by_number(new_page, newcomer, language, locale):
    newcomer.language = language
    newcomer.save()
    w = WORDS[language]
    portal, phone = new_page(locale), new_page(locale)

    password_step(portal, newcomer)
    portal.get_by_text(w["method"]).click()
    phone.goto("/companion/")
    phrase = phone.get_by_test_id("phrase")
    phrase.wait_for()
    portal.locator("#id_phrase").fill(phrase.inner_text())
    portal.get_by_role("button", name=w["connect"]).click()
    phone.get_by_test_id("confirm-account").wait_for()
    assert newcomer.email in phone.get_by_test_id("confirm-account").inner_text()
    phone.get_by_role("button", name=w["connect"]).click()
    phone.get_by_test_id("paired-account").wait_for()
    portal.get_by_role("button", name=w["saved"]).click()
    assert portal.get_by_role("heading", name=w["home"]).is_visible()

    log_out(portal, w)
    password_step(portal, newcomer)
    approve(portal, phone, pick="right")
    portal.get_by_role("heading", name=w["home"]).wait_for()
    assert phone.get_by_test_id("companion-totp").is_visible(), "codes as a fallback"

    log_out(portal, w)
    for outcome in ("wrong", "deny", "expire"):
        password_step(portal, newcomer)
        portal.get_by_test_id("approval-number").wait_for()
        if outcome == "expire":
            LoginApproval.objects.filter(state="pending").update(expires_at=timezone.now())
        else:
            approve(portal, phone, pick=outcome)
        # The sign-in page polls every 2 s; the app refreshes every 2 s.
        portal.get_by_text(w["not_logged_in"]).wait_for(timeout=20_000)
        portal.goto("/")
        assert "/accounts/login/" in portal.url, outcome
    password_step(portal, newcomer)
    approve(portal, phone, pick="right")
    portal.get_by_role("heading", name=w["home"]).wait_for()
    assert portal.problems == [] and phone.problems == []
