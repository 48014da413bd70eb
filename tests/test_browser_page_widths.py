"""Every page of the journey at a phone's width (390 px) and a laptop's (1280 px), in Japanese
and English: the page never scrolls sideways, no word in a table is broken over two lines,
tables become a card per row on the phone, and the trainer's tour folds into a button there
instead of pushing the form below the fold."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.services import invitation_create
from cases.models import CaseStatus
from tests.factories import create_attachment, create_case, create_message, subscribe
from tests.helpers import (
    LAPTOP,
    PASSWORD,
    PHONE,
    SCREENS,
    assert_accessible,
    classroom_url,
    reads_naturally,
    signed_in_page,
    totp_code,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROWEST_TABLE = {"width": 1200, "height": 800}  # below it, hub.css shows cards
LOCALES = {"ja": "ja-JP", "en": "en-GB"}


def shows_rows(table, label: str, width: int) -> None:
    """At the laptop's width a table under its headers; at the phone's, a card per row: its
    cells stacked, each value beside its column's label."""
    row = table.locator("tbody tr").first
    cell_label = row.locator(".hub-cell-label").first
    if width == PHONE:
        expect(cell_label).to_be_visible()
        expect(cell_label).to_have_text(label)
        first, second = (row.locator("td").nth(i).bounding_box() for i in (0, 1))
        assert second["y"] >= first["y"] + first["height"] - 1, "the cells are stacked"
    else:
        expect(table.get_by_role("columnheader", name=label)).to_be_visible()
        expect(cell_label).to_be_hidden()


def reads_naturally_when_narrowest(page, where: str) -> None:
    """On the laptop, the table also keeps whole words at the narrowest width it is shown."""
    if page.viewport_size == SCREENS[LAPTOP]:
        page.set_viewport_size(NARROWEST_TABLE)
        reads_naturally(page, f"{where} at {NARROWEST_TABLE['width']} px")
        page.set_viewport_size(SCREENS[LAPTOP])


def words(language: str) -> dict:
    """The words a person reads and clicks, as the portal's catalogue has them."""
    msgids = {
        "continue": "Continue",
        "terms": "I accept the terms of use",
        "email": "Email",
        "logout": "Log out",
        "login": "Log in",
        "method": "Use verification codes from an authenticator app",
        "cant_scan": "Can't scan the QR code?",
        "code": "Verification code",
        "connect": "Connect",
        "saved": "I have saved my codes — continue",
        "home": "Services and cases",
        "available": "Available products",
        "chatter": "Chatter",
        "attachments": "Attachments",
        "file_name": "File name",
        "case_number": "Case number",
        "subject": "Subject",
        "sort_by": "Sort by",
        "sent": "Sent",
        "profile": "My profile",
        "outbox": "Outbox",
        "authenticator": "On-screen authenticator",
        "tour": "Guided tour",
        "tour_step": "Create the case",
    }
    with translation.override(language):
        return {key: gettext(msgid) for key, msgid in msgids.items()}


@pytest.fixture
def shared_case(make_company, make_user):
    """A colleague's cases in a company on both form layouts' services: long subjects, one
    waiting for the customer, one with files (a 39-byte log, long names, one from ESET)."""
    company = make_company(plan="mdr-ultimate")
    subscribe(company, "premium-support")
    subscribe(company, "healthcheck")
    colleague = make_user(email="ken.tanaka@example.co.jp", full_name="田中 健", company=company)
    operator = make_user(
        email="alexandra@eset.example", full_name="Alexandra Konstantinopoulou", is_staff=True
    )
    # Long subjects: the column that may break takes the squeeze, not the headers beside it.
    create_case(
        colleague,
        subject="駆除できないウイルスがあります。PC-TOKYO-0001 の定期スキャンで検出された"
        "トロイの木馬が隔離されず、再起動のたびに同じ検出が繰り返されています。",
    )
    create_case(
        colleague,
        subject=r"The scheduled scan keeps reporting C:\ProgramData\ESET\RemoteAdministrator"
        r"\Agent\EraAgentApplicationData\Logs\trace.log as locked after every restart",
        status=CaseStatus.WAITING_FOR_CUSTOMER,
    )
    case = create_case(colleague, service="healthcheck", subject="ヘルスチェックの日程")
    create_message(case, colleague, "ログを添付します。")
    create_attachment(case, colleague, name="log.txt", content=b"x" * 39)
    create_attachment(
        case,
        colleague,
        name="ESET-Log-Collector_PC-TOKYO-0001_2026-11-30T09-01-00_full-memory-dump.txt",
        content=b"collected\n" * 5000,
    )
    create_attachment(case, operator, name="検出ログ_2026年11月30日_東京本社サーバー.txt")
    return case


def invitation_link(mailoutbox, company, email, language) -> str:
    mailoutbox.clear()
    invitation_create(email=email, full_name="山田 花子", company=company, language=language)
    (message,) = mailoutbox
    return re.search(r"/accounts/register/\S+/", message.body).group(0)


@pytest.mark.parametrize("width", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_reads_naturally_at_phone_and_laptop_width(
    new_page, shared_case, mailoutbox, settings, live_server, language, width
):
    w = words(language)
    email = f"hanako.{language}@example.co.jp"
    link = invitation_link(mailoutbox, shared_case.company, email, language)
    page = new_page(LOCALES[language])
    page.set_viewport_size(SCREENS[width])

    # Chapter 1: the invitation's link, the terms, a password, signing in, the authenticator.
    page.goto(link)
    expect(page.locator("#id_password1")).to_be_visible()
    reads_naturally(page, "registration")
    page.goto("/accounts/terms/")
    reads_naturally(page, "terms")
    page.go_back()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label(w["terms"]).check()
    page.get_by_role("button", name=w["continue"]).click()
    expect(page.get_by_role("heading", name=w["home"])).to_be_visible()
    page.locator("details.hub-menu").last.locator("summary").click()
    page.get_by_role("button", name=w["logout"]).click()
    expect(page.locator("#id_password")).to_be_visible()
    reads_naturally(page, "login")
    page.get_by_label(w["email"]).fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name=w["login"]).click()
    expect(page.get_by_text(w["method"])).to_be_visible()
    reads_naturally(page, "two-factor method")
    page.get_by_text(w["method"]).click()
    page.get_by_text(w["cant_scan"]).click()
    expect(page.get_by_test_id("totp-key")).to_be_visible()
    reads_naturally(page, "authenticator setup")
    page.get_by_label(w["code"]).fill(totp_code(TOTPDevice.objects.get(user__email=email)))
    page.get_by_role("button", name=w["connect"]).click()
    expect(page.get_by_test_id("recovery-codes").locator("code")).to_have_count(10)
    reads_naturally(page, "recovery codes")
    page.get_by_role("button", name=w["saved"]).click()

    # The dashboard's case list.
    cases = page.get_by_test_id("case-list")
    expect(cases.locator("tbody tr")).to_have_count(3)
    reads_naturally(page, "dashboard")
    shows_rows(cases, w["case_number"], width)
    reads_naturally_when_narrowest(page, "dashboard")
    # Sorting stays at hand: the headers' links, or on the phone a line of them above the cards.
    expect(cases.get_by_role("link", name=w["subject"])).to_be_visible()
    if width == PHONE:
        expect(page.get_by_text(w["sort_by"], exact=True)).to_be_visible()
        assert_accessible(page, "case list as cards")

    # Chapter 2: both layouts of the case form.
    page.goto("/cases/new/")  # loaded: htmx answers the service's choice
    expect(page.locator("#id_service")).to_be_visible()
    reads_naturally(page, "case form")
    page.locator("#id_service").select_option(label="HealthCheck")
    expect(page.get_by_role("group", name=w["available"])).to_be_visible()
    reads_naturally(page, "case form, product-group layout")

    # Chapter 3: the case page's tabs.
    page.goto(f"/cases/{shared_case.number}/")
    expect(page.get_by_test_id("case-details")).to_be_visible()
    reads_naturally(page, "case details")
    page.get_by_role("link", name=w["chatter"]).click()
    expect(page.get_by_test_id("thread")).to_contain_text("ログを添付します。")
    reads_naturally(page, "chatter")
    page.get_by_role("link", name=w["attachments"]).click()
    files = page.get_by_test_id("attachments")
    expect(files.locator("tbody tr")).to_have_count(3)
    reads_naturally(page, "attachments")
    shows_rows(files, w["file_name"], width)
    reads_naturally_when_narrowest(page, "attachments")
    if width == PHONE:
        assert_accessible(page, "attachments as cards")

    page.goto("/accounts/profile/")
    expect(page.get_by_role("heading", name=w["profile"])).to_be_visible()
    reads_naturally(page, "profile")

    # Trainer mode: the outbox, an email in it, the on-screen authenticator, the tour.
    settings.DEMO_MODE = True
    settings.OUTBOX_KEEP_BODIES = True
    settings.SITE_URL = live_server.url
    invitation_create(
        email="trainee01@training.example",
        full_name="研修 太郎",
        company=shared_case.company,
        language=language,
        is_demo=True,
    )
    page.goto(classroom_url())
    outbox = page.get_by_test_id("outbox")
    expect(outbox.locator("tbody tr")).to_have_count(1)
    reads_naturally(page, "outbox")
    shows_rows(outbox, w["sent"], width)
    outbox.get_by_role("link").first.click()
    expect(page.get_by_test_id("email-body")).to_be_visible()
    reads_naturally(page, "outbox email")
    page.goto("/demo/authenticator/")
    expect(page.get_by_role("heading", name=w["authenticator"])).to_be_visible()
    reads_naturally(page, "on-screen authenticator")

    page.goto("/cases/new/")
    tour = page.get_by_test_id("tour")
    step = tour.get_by_text(w["tour_step"])
    toggle = tour.get_by_role("button", name=w["tour"])
    if width == PHONE:
        # A button, closed: the form's first fields fill the first screen.
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(step).to_be_hidden()
        assert tour.bounding_box()["height"] < 80
        expect(page.locator("#id_subject")).to_be_in_viewport(ratio=1)
        reads_naturally(page, "case form, tour folded")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(step).to_be_visible()
        toggle.click()
        expect(step).to_be_hidden()
    else:
        # Open beside the form, with no button to fold it.
        expect(step).to_be_visible()
        expect(toggle).to_be_hidden()
        beside = tour.bounding_box()
        form = page.locator("main form").bounding_box()
        assert beside["x"] + beside["width"] <= form["x"]
        assert beside["y"] < form["y"] + form["height"] and form["y"] < beside["y"] + 200
    reads_naturally(page, "case form with the tour")
    assert page.problems == []


@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_keeps_the_tour_open_on_a_phone_without_javascript(
    new_page, customer, settings, language
):
    settings.DEMO_MODE = True
    customer.language = language
    customer.save()
    w = words(language)
    page = signed_in_page(new_page, customer, LOCALES[language], java_script_enabled=False)
    page.set_viewport_size(SCREENS[PHONE])
    page.goto("/cases/new/")
    tour = page.get_by_test_id("tour")
    expect(tour.get_by_text(w["tour_step"])).to_be_visible()
    expect(tour.get_by_role("button", name=w["tour"])).to_be_hidden()
    expect(tour.get_by_role("heading", name=w["tour"])).to_be_visible()
    reads_naturally(page, "case form, tour without JavaScript")
    assert page.problems == []
