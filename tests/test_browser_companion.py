"""The guide's mobile-app method in Chromium: a portal window and a HUB Authenticator window.

The app's window is always a phone's width (390 px). The whole journey (pairing, then approving
by the right number, the wrong one, a denial, an expiry, and the code) runs with the portal at a
laptop's width (1280 px) in Japanese and English; at 30 s a run it is too slow to repeat at every
width, so at a phone's width the portal pairs and signs in both ways once in Japanese with
JavaScript and once in English without (its buttons instead of the polling)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from companion.models import LoginApproval
from tests.helpers import LAPTOP, PASSWORD, PHONE, at_width, reads_naturally, within_reach

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WORDS = {
    "ja": {
        "method": "HUB Authenticator モバイルアプリケーションを使用",
        "add": "アカウントを追加",
        "connect": "接続",
        "saved": "コードを保存しました — 続行",
        "home": "サービスとケース",
        "logout": "ログアウト",
        "deny": "拒否",
        "not_logged_in": "ログインは行われていません",
        "none_waiting": "承認待ちのログインはありません。",
        "enter_code": "モバイルアプリに表示されるコードを入力",
        "code_label": "確認コード",
        "verify": "確認",
        "tapped": "[接続]をタップしました — 続行",
        "approved": "承認しました — 続行",
    },
    "en": {
        "method": "Use the HUB Authenticator mobile app",
        "add": "Add account",
        "connect": "Connect",
        "saved": "I have saved my codes — continue",
        "home": "Services and cases",
        "logout": "Log out",
        "deny": "Deny",
        "not_logged_in": "You were not logged in",
        "none_waiting": "No sign-in is waiting for approval.",
        "enter_code": "Enter the code shown in the mobile app",
        "code_label": "Verification code",
        "verify": "Verify",
        "tapped": "I tapped Connect — continue",
        "approved": "I approved it — continue",
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
    shown = portal.get_by_test_id("approval-number")
    expect(shown).to_have_text(re.compile(r"^\s*\d{2}\s*$"))
    number = shown.inner_text().strip()
    card = phone.get_by_test_id("approvals").locator("article", has_text=number).first
    expect(card).to_contain_text("Chrome")
    if pick == "deny":
        card.get_by_role("button", name=WORDS["ja"]["deny"]).or_(
            card.get_by_role("button", name=WORDS["en"]["deny"])
        ).click()
        return
    buttons = card.locator("[data-field=choices] button")
    expect(buttons).to_have_count(3)
    labels = buttons.all_inner_texts()
    assert number in labels and len(labels) == 3
    chosen = number if pick == "right" else next(label for label in labels if label != number)
    buttons.filter(has_text=chosen).first.click()


@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_pairs_by_phrase_and_approves_logins_by_number(new_page, newcomer, language, locale):
    newcomer.language = language
    newcomer.save()
    w = WORDS[language]
    portal, phone = at_width(new_page(locale), LAPTOP), at_width(new_page(locale), PHONE)

    password_step(portal, newcomer)
    portal.get_by_text(w["method"]).click()
    phone.goto("/companion/")
    # As the guide says: the app opens on Add account, and only then shows the phrase.
    phrase = phone.get_by_test_id("phrase")
    expect(phone.get_by_role("button", name=w["add"])).to_be_visible()
    expect(phrase).to_be_hidden()
    phone.get_by_role("button", name=w["add"]).click()
    expect(phrase).to_have_text(re.compile(r"^[a-z]+ [a-z]+$"))
    portal.locator("#id_phrase").fill(phrase.inner_text())
    portal.get_by_role("button", name=w["connect"]).click()
    expect(phone.get_by_test_id("confirm-account")).to_contain_text(newcomer.email)
    phone.get_by_role("button", name=w["connect"]).click()
    expect(phone.get_by_test_id("paired-account")).to_be_visible()
    portal.get_by_role("button", name=w["saved"]).click()
    expect(portal.get_by_role("heading", name=w["home"])).to_be_visible()

    log_out(portal, w)
    password_step(portal, newcomer)
    # Both ways at once, of equal weight: the number to tap, and the code the app shows.
    expect(portal.get_by_role("heading", name=w["enter_code"])).to_be_visible()
    expect(portal.get_by_label(w["code_label"])).to_be_visible()
    expect(phone.get_by_test_id("approvals").locator("article")).to_have_count(1)
    expect(phone.get_by_text(w["none_waiting"])).to_be_hidden()
    approve(portal, phone, pick="right")
    expect(portal.get_by_role("heading", name=w["home"])).to_be_visible()
    expect(phone.get_by_text(w["none_waiting"])).to_be_visible()
    expect(phone.get_by_test_id("companion-totp")).to_be_visible()

    log_out(portal, w)
    for outcome in ("wrong", "deny", "expire"):
        password_step(portal, newcomer)
        expect(portal.get_by_test_id("approval-number")).to_be_visible()
        if outcome == "expire":
            LoginApproval.objects.filter(state="pending").update(expires_at=timezone.now())
        else:
            approve(portal, phone, pick=outcome)
        # The sign-in page polls every 2 s; the app refreshes every 2 s.
        expect(portal.get_by_text(w["not_logged_in"])).to_be_visible(timeout=20_000)
        portal.goto("/")
        expect(portal).to_have_url(re.compile(r"/accounts/login/"))
    password_step(portal, newcomer)
    approve(portal, phone, pick="right")
    expect(portal.get_by_role("heading", name=w["home"])).to_be_visible()

    # The guide's way: enter the code shown in the mobile app.
    log_out(portal, w)
    password_step(portal, newcomer)
    code = phone.get_by_test_id("companion-totp").locator("[data-field=totp]")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    portal.get_by_label(w["code_label"]).fill(code.inner_text())
    portal.get_by_role("button", name=w["verify"], exact=True).click()
    expect(portal.get_by_role("heading", name=w["home"])).to_be_visible()
    assert portal.problems == [] and phone.problems == []


@pytest.mark.parametrize(
    ("language", "locale", "scripted"),
    [("ja", "ja-JP", True), ("en", "en-GB", False)],
    ids=["japanese", "english-without-javascript"],
)
def test_it_pairs_and_signs_in_with_the_app_at_a_phones_width(
    new_page, newcomer, language, locale, scripted
):
    newcomer.language = language
    newcomer.save()
    w = WORDS[language]
    portal = at_width(new_page(locale, java_script_enabled=scripted), PHONE)
    phone = at_width(new_page(locale), PHONE)  # the app itself needs JavaScript (WebCrypto)

    password_step(portal, newcomer)
    portal.get_by_text(w["method"]).click()
    phone.goto("/companion/")
    phone.get_by_role("button", name=w["add"]).click()
    phrase = phone.get_by_test_id("phrase")
    expect(phrase).to_have_text(re.compile(r"^[a-z]+ [a-z]+$"))
    reads_naturally(phone, "the app showing the phrase")
    field = portal.locator("#id_phrase")
    within_reach(field)
    reads_naturally(portal, "pairing")
    field.fill(phrase.inner_text())
    portal.get_by_role("button", name=w["connect"]).click()
    expect(phone.get_by_test_id("confirm-account")).to_contain_text(newcomer.email)
    reads_naturally(phone, "the app asking to connect")
    phone.get_by_role("button", name=w["connect"]).click()
    expect(phone.get_by_test_id("paired-account")).to_be_visible()
    if not scripted:
        tapped = portal.get_by_role("link", name=w["tapped"])
        within_reach(tapped)
        tapped.click()
    saved = portal.get_by_role("button", name=w["saved"])
    within_reach(saved)
    reads_naturally(portal, "recovery codes")
    saved.click()
    expect(portal.get_by_role("heading", name=w["home"])).to_be_visible()

    # Approving by the number: both ways in one column, each in reach.
    log_out(portal, w)
    password_step(portal, newcomer)
    within_reach(portal.get_by_test_id("approval-number"))
    within_reach(portal.get_by_label(w["code_label"]))
    reads_naturally(portal, "approval")
    approve(portal, phone, pick="right")
    reads_naturally(phone, "the app after approving")
    if not scripted:
        approved = portal.get_by_role("button", name=w["approved"])
        within_reach(approved)
        approved.click()
    expect(portal.get_by_role("heading", name=w["home"])).to_be_visible()

    # The guide's way: the code shown in the app.
    log_out(portal, w)
    password_step(portal, newcomer)
    code = phone.get_by_test_id("companion-totp").locator("[data-field=totp]")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    portal.get_by_label(w["code_label"]).fill(code.inner_text())
    verify = portal.get_by_role("button", name=w["verify"], exact=True)
    within_reach(verify)
    verify.click()
    expect(portal.get_by_role("heading", name=w["home"])).to_be_visible()
    reads_naturally(portal, "signed in")
    assert portal.problems == [] and phone.problems == []
