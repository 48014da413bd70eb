"""Every page of the guided tour passes axe-core with no serious or critical violation."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cases.models import Case
from hub.models import OutboundEmail
from tests.helpers import assert_accessible, classroom_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Demo-Passw0rd!"


@pytest.mark.parametrize("locale", ["ja-JP", "en-GB"])
def test_it_passes_axe_on_every_tour_page(settings, live_server, catalogue, new_page, locale):
    settings.DEMO_MODE = True
    settings.OUTBOX_KEEP_BODIES = True
    settings.SITE_URL = live_server.url
    call_command("demo", "--reset", verbosity=0)
    call_command("demo", "--trainees", "1", verbosity=0)
    page = new_page(locale)
    page.goto(classroom_url())

    for path in ("/accounts/login/", "/demo/outbox/", "/accounts/password/reset/"):
        page.goto(path)
        assert_accessible(page, path)
    email = OutboundEmail.objects.filter(to="trainee01@training.example").first()
    page.goto(f"/demo/outbox/{email.pk}/")
    assert_accessible(page, "outbox email")
    link = re.search(r"/accounts/register/[\w-]+/", email.body_text).group(0)
    page.goto(link)
    assert_accessible(page, "registration")
    page.locator("#id_password1").fill("short")
    page.locator("main button[type=submit]").click()
    expect(page.locator("main .is-invalid").first).to_be_visible()
    assert_accessible(page, "registration with errors")

    page.goto("/accounts/login/")
    page.locator("#id_email").fill("ken.tanaka@sample-shoji.example")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/method/"))
    assert_accessible(page, "two-factor method")
    page.goto("/accounts/two-factor/authenticator/")
    expect(page.get_by_test_id("on-screen-code")).to_have_text(re.compile(r"^\s*\d{3} \d{3}\s*$"))
    assert_accessible(page, "authenticator setup")
    page.locator("#id_code").fill(
        re.sub(r"\D", "", page.get_by_test_id("on-screen-code").inner_text())
    )
    page.locator("main button[type=submit]").click()
    expect(page.get_by_test_id("recovery-codes")).to_be_visible()
    assert_accessible(page, "recovery codes")
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/recovery-codes/"))

    for path in ("/", "/cases/new/", "/accounts/profile/", "/demo/authenticator/"):
        page.goto(path)
        assert_accessible(page, path)
    page.goto("/cases/new/?service=premium-support")
    page.get_by_role("button", name=re.compile("作成|Create")).first.click()
    expect(page.locator("main .is-invalid").first).to_be_visible()
    assert_accessible(page, "case form with errors")
    case = Case.objects.filter(company__users__email="ken.tanaka@sample-shoji.example").first()
    for tab in ("details", "chatter", "attachments"):
        page.goto(f"/cases/{case.number}/?tab={tab}")
        assert_accessible(page, f"case {tab}")
    page.goto(f"/cases/{case.number}/?tab=chatter")
    page.locator("#id_body").fill("確認します")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_test_id("preview")).to_be_visible()
    assert_accessible(page, "chatter confirmation")
