"""Chapter 1 of the guide in Chromium: from the invitation email to logins with two factors."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from accounts.services import invitation_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Kasumi-Gaseki-2025!"

WORDS = {
    "ja": {
        "subject": "ESET Services HUB – 登録を完了してください",
        "link": "登録の完了",
        "continue": "続行",
        "terms": "利用規約に同意します",
        "registered": "登録が完了しました",
        "logout": "ログアウト",
        "login": "ログイン",
        "method": "Authenticatorアプリケーションからの確認コードを使用",
        "cant_scan": "QRコードを読み取れない場合",
        "connect": "接続",
        "saved": "コードを保存しました — 続行",
        "verify": "確認",
        "home": "サービスとケース",
        "email": "電子メール",
        "code": "確認コード",
    },
    "en": {
        "subject": "ESET Services HUB – Complete your registration",
        "link": "Complete registration",
        "continue": "Continue",
        "terms": "I accept the terms of use",
        "registered": "Your registration is complete",
        "logout": "Log out",
        "login": "Log in",
        "method": "Use verification codes from an authenticator app",
        "cant_scan": "Can't scan the QR code?",
        "connect": "Connect",
        "saved": "I have saved my codes — continue",
        "verify": "Verify",
        "home": "Services and cases",
        "email": "Email",
        "code": "Verification code",
    },
}


def log_out(page, w):
    page.locator("details.hub-menu").last.locator("summary").click()
    page.get_by_role("button", name=w["logout"]).click()


def password_step(page, w, email):
    page.goto("/")
    page.get_by_label(w["email"]).fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name=w["login"]).click()


@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_walks_the_whole_onboarding(new_page, company, mailoutbox, language, locale):
    w = WORDS[language]
    email = f"trainee-{language}@example.co.jp"
    invitation_create(email=email, full_name="研修 太郎", company=company, language=language)
    (message,) = mailoutbox
    assert message.subject == w["subject"]
    html = message.alternatives[0][0]
    link = re.search(rf'<a href="(https?://[^"]+)"[^>]*>{w["link"]}</a>', html).group(1)

    page = new_page(locale)
    page.goto("/" + link.split("/", 3)[3])
    expect(page.get_by_label(w["email"])).to_have_value(email)
    expect(page.get_by_label(w["email"])).to_be_disabled()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label(w["terms"]).check()
    page.get_by_role("button", name=w["continue"]).click()
    expect(page.locator(".hub-messages")).to_contain_text(w["registered"])
    expect(page.get_by_role("heading", name=w["home"])).to_be_visible()

    log_out(page, w)
    password_step(page, w, email)
    page.get_by_text(w["method"]).click()
    page.get_by_text(w["cant_scan"]).click()
    expect(page.locator(".hub-qr svg")).to_be_visible()
    expect(page.get_by_test_id("totp-key")).to_be_visible()
    key = page.get_by_test_id("totp-key").inner_text().replace(" ", "")
    secret = base64.b32decode(key)
    page.get_by_label(w["code"]).fill(f"{totp(secret):06d}")
    page.get_by_role("button", name=w["connect"]).click()
    shown = page.get_by_test_id("recovery-codes").locator("code")
    expect(shown).to_have_count(10)
    codes = shown.all_inner_texts()
    page.get_by_role("button", name=w["saved"]).click()
    expect(page.get_by_role("heading", name=w["home"])).to_be_visible()

    log_out(page, w)
    password_step(page, w, email)
    # The setup spent this 30-second step's code; the app's next code is accepted already.
    page.get_by_label(w["code"]).fill(f"{totp(secret, drift=1):06d}")
    page.get_by_role("button", name=w["verify"]).click()
    expect(page.get_by_role("heading", name=w["home"])).to_be_visible()

    log_out(page, w)
    password_step(page, w, email)
    page.get_by_label(w["code"]).fill(codes[0])
    page.get_by_role("button", name=w["verify"]).click()
    expect(page.get_by_role("heading", name=w["home"])).to_be_visible()
    assert page.problems == []
