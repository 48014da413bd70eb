"""`make screenshots`: the guide's journey in Chromium, one PNG per step, Japanese and English.

Not collected by `make test` (the file name does not start with test_); run it explicitly.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Company
from accounts.services import invitation_create
from tests.factories import create_user, with_authenticator
from tests.helpers import (
    CASE_FORM_WORDS,
    GUIDE_SUGGESTIONS,
    classroom_url,
    fill_guide_example,
    signed_in_page,
)
from tests.previews import jpeg_with_gps
from tests.test_browser_product_picker import move, words
from tests.test_browser_uploads import DROP

# What ESET Log Collector writes, long enough to watch it go up.
LOG = b"".join(
    b"2026-11-30 09:%02d:%02d [INFO] ekrn: scan of C:\\Users completed, 0 threats\n"
    % (n // 60 % 60, n % 60)
    for n in range(40_000)
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "Kasumi-Gaseki-2025!"
TEXT = {
    "ja": {
        "continue": "続行",
        "terms": "利用規約に同意します",
        "logout": "ログアウト",
        "method": "Authenticatorアプリケーションからの確認コードを使用",
        "connect": "接続",
        "saved": "コードを保存しました — 続行",
        "new_case": "新しいケースを作成",
        "create": "作成",
        "chatter": "チャット",
        "share": "投稿を共有",
        "yes": "はい、共有します",
        "attachments": "添付ファイル",
        "upload": "アップロード",
        "post": "ログを添付しました。ご確認をお願いします。",
        "left": "残り約",
        "all_done": "すべてのアップロードが終わりました。",
        "second_subject": "HealthCheck の実施日程について",
    },
    "en": {
        "continue": "Continue",
        "terms": "I accept the terms of use",
        "logout": "Log out",
        "method": "Use verification codes from an authenticator app",
        "connect": "Connect",
        "saved": "I have saved my codes — continue",
        "new_case": "Create new case",
        "create": "Create",
        "chatter": "Chatter",
        "share": "Share post",
        "yes": "Yes, share it",
        "attachments": "Attachments",
        "upload": "Upload",
        "post": "I attached the logs. Please have a look.",
        "left": "left",
        "all_done": "All uploads have finished.",
        "second_subject": "Scheduling the HealthCheck",
    },
}


@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_photographs_each_step_of_the_guide(
    settings, live_server, catalogue, new_page, tmp_path, language, locale
):
    settings.DEMO_MODE = True
    settings.OUTBOX_KEEP_BODIES = True
    settings.SITE_URL = live_server.url
    call_command("demo", "--reset", verbosity=0)
    invitation_create(
        email=f"trainee-{language}@sample-shoji.example",
        full_name="研修 太郎" if language == "ja" else "Taro Trainee",
        company=Company.objects.get(name="サンプル商事株式会社"),
        language=language,
    )
    t = TEXT[language]
    OUT.mkdir(parents=True, exist_ok=True)
    page = new_page(locale)
    page.set_viewport_size({"width": 1200, "height": 820})
    step = iter(range(1, 100))

    def shot(name):
        page.screenshot(path=OUT / f"{language}-{next(step):02d}-{name}.png", full_page=True)

    page.goto(classroom_url())
    shot("outbox")
    page.get_by_role(
        "link", name=re.compile("登録を完了してください|Complete your registration")
    ).first.click()
    expect(page.get_by_test_id("email-body")).to_be_visible()
    shot("invitation-email")
    page.get_by_test_id("email-body").get_by_role("link").first.click()
    # The outbox may hold other invitations too: sign in later as whoever this one invites.
    email = page.locator("#id_email").input_value()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label(t["terms"]).check()
    shot("registration")
    page.get_by_role("button", name=t["continue"]).click()
    expect(page.locator(".hub-messages")).to_be_visible()
    shot("registered-dashboard")
    page.locator("details.hub-menu").last.locator("summary").click()
    page.get_by_role("button", name=t["logout"]).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_text(t["method"])).to_be_visible()
    shot("two-factor-method")
    page.get_by_text(t["method"]).click()
    expect(page.get_by_test_id("on-screen-code")).to_have_text(re.compile(r"^\s*\d{3} \d{3}\s*$"))
    shot("authenticator-setup")
    page.locator("#id_code").fill(
        re.sub(r"\D", "", page.get_by_test_id("on-screen-code").inner_text())
    )
    page.get_by_role("button", name=t["connect"]).click()
    expect(page.get_by_test_id("recovery-codes")).to_be_visible()
    shot("recovery-codes")
    page.get_by_role("button", name=t["saved"]).click()
    page.get_by_role("link", name=t["new_case"]).first.click()
    expect(page.locator("#id_service")).to_be_visible()
    shot("case-form")
    # The guide's 商品ID step: what appears under "ESET Endpoint Security" as it is typed.
    w = CASE_FORM_WORDS[language]
    page.locator("#id_service").select_option(label="ESET Premium Support")
    page.get_by_role("combobox", name=w["product_id"]).fill("ESET Endpoint Security")
    suggestions = page.get_by_role("listbox", name=w["product_id"]).get_by_role("option")
    expect(suggestions).to_have_text(GUIDE_SUGGESTIONS)
    shot("product-suggestions")
    page.get_by_role("combobox", name=w["product_id"]).fill("")  # the example types it again
    fill_guide_example(page, w, scripted=True)
    shot("case-form-filled")
    page.get_by_role("button", name=t["create"], exact=True).click()
    expect(page.get_by_test_id("case-number")).to_be_visible()
    shot("case-details")
    page.get_by_role("link", name=t["chatter"]).click()
    page.locator("#id_body").fill(t["post"])
    page.get_by_role("button", name=t["share"]).click()
    expect(page.get_by_test_id("preview")).to_be_visible()
    shot("chatter-confirm")
    page.get_by_role("button", name=t["yes"]).click()
    expect(page.get_by_test_id("thread")).to_contain_text(t["post"])
    shot("chatter")
    page.get_by_role("link", name=t["attachments"]).click()
    # The drop zone sending: a log collector's output slowed down to watch its progress, a
    # screenshot with GPS tags in it, and a program refused before a byte is sent.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    slow = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 150_000}
    cdp.send("Network.emulateNetworkConditions", slow)
    log = {"name": "eset-log-collector.log", "mimeType": "text/plain", "buffer": LOG}
    photo = {"name": "screenshot.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    page.locator("#id_files").set_input_files([log, photo])
    page.evaluate(DROP, ["[data-testid=drop-zone]", [["setup.exe", 1000]]])
    page.get_by_role("button", name=t["upload"]).click()
    expect(page.get_by_test_id("upload-list").locator("li").first).to_contain_text(t["left"])
    shot("attachments-sending")
    cdp.send("Network.emulateNetworkConditions", {**slow, "uploadThroughput": -1})
    expect(page.locator("[data-hub-upload-status]")).to_have_text(t["all_done"], timeout=60_000)
    # The screenshot's preview, made after the upload (on a thread here, a worker in production).
    thumbnail = page.get_by_test_id("attachment-preview-link").locator("img")
    expect(thumbnail).to_be_visible(timeout=20_000)
    shot("attachments")
    thumbnail.click()
    expect(page.locator("main img").first).to_be_visible()
    shot("attachment-preview")

    # The guide's last screenshot: the product-group layout of an MDR Ultimate company's
    # HealthCheck, two products moved to 「選択した製品」.
    ultimate = Company.objects.get(plan__code="mdr-ultimate", is_demo=True)
    colleague = create_user(
        email=f"second-layout-{language}@demo-kogyo.example",
        full_name="研修 花子" if language == "ja" else "Hanako Trainee",
        company=ultimate,
        language=language,
    )
    with_authenticator(colleague)
    page = signed_in_page(new_page, colleague, locale)
    page.set_viewport_size({"width": 1200, "height": 820})
    page.goto("/cases/new/")
    page.locator("#id_service").select_option(label="HealthCheck")
    expect(page.get_by_test_id("product-picker")).to_be_visible()
    picker = words(language)
    page.locator("#id_subject").fill(t["second_subject"])
    for name in ("ESET Business Account", "ESET Connect"):
        move(page, picker, name, to_selected=True, scripted=True)
    shot("second-layout")

    # The operators' side, on the demo's cases: the queue with its views and due times, a case
    # page with a saved reply chosen, and the report.
    desk_operator = create_user(
        email=f"operator-{language}@eset.example",
        full_name="ESET サポート 研修" if language == "ja" else "ESET Support Trainee",
        language=language,
        is_staff=True,
        is_superuser=True,
    )
    with_authenticator(desk_operator)
    page = signed_in_page(new_page, desk_operator, locale)
    page.set_viewport_size({"width": 1280, "height": 820})
    page.goto("/admin/cases/case/?view=open")
    expect(page.get_by_test_id("count-open")).to_be_visible()
    shot("operator-queue")
    page.locator("#result_list tbody tr", has_text="Scheduled scan").locator("th a").click()
    page.locator("#id_saved_reply").select_option(index=1)
    expect(page.locator("#id_reply_body")).not_to_have_value("")
    shot("operator-case")
    page.goto("/admin/desk/report/")
    expect(page.locator("svg").first).to_be_visible()
    shot("operator-report")
