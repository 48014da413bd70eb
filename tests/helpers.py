"""Helpers shared by test modules: plain functions and constants (fixtures live in conftest.py,
factories in factories.py)."""

import os
import re
import time
import uuid
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

import hub
from catalog.models import MainContent, OperatingSystem, Priority, Problem, Product, Service
from tests.isolation import SHARED_PARTS
from trainer.classroom import classroom_key

PASSWORD = "Correct-Horse-9-Battery"
RECOVERY_CODES = ["abcd2345", "efgh6723", "ijkl2345"]

# The folder the tests sit in (tests/..) and the one the code under test was imported from: the
# same checkout, or a copy of the tests run against an installed package (test_packaging.py).
CHECKOUT = Path(__file__).resolve().parent.parent
HUB_PARENT = Path(hub.__file__).resolve().parent.parent
IN_CHECKOUT = (CHECKOUT / "manage.py").is_file() and HUB_PARENT == CHECKOUT


def needs_checkout(why: str):
    """Skip a test that needs the source checkout (manage.py, the source tree) when the tests
    run against an installed copy; in the checkout it always runs."""
    return pytest.mark.skipif(
        not IN_CHECKOUT, reason=f"needs the checkout, not an installed copy: {why}"
    )


def classroom_url() -> str:
    """The trainer's classroom link, as `make run` prints it."""
    return reverse("trainer:join", args=[classroom_key()])


def subprocess_env(**extra):
    """The environment for a child process: ours, less test-only switches and the shared parts
    (tests.isolation.SHARED_PARTS, in case a test set one here), plus `extra`."""
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", *SHARED_PARTS}
    return {k: v for k, v in os.environ.items() if k not in dropped} | extra


class BrokenBackend(BaseEmailBackend):
    """A mail server that is down: settings.EMAIL_BACKEND = "tests.helpers.BrokenBackend"."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def totp_code(device, *, steps=0) -> str:
    """The code an authenticator app shows for this device now (or `steps` × 30 s away)."""
    at = time.time() + steps * device.step
    counter = int((at - device.t0) // device.step)
    return f"{hotp(device.bin_key, counter, digits=device.digits):06d}"


def log_in(client, user, *, password=PASSWORD) -> None:
    """Sign in as a person would: password, then the current code of the user's app."""
    response = client.post(reverse("accounts:login"), {"email": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post(reverse("accounts:two_factor"), {"code": totp_code(device)})
    assert response.status_code == 302, response.content.decode()[:2000]


def force_sign_in(client, user, device=None):
    """Sign `client` in as `user` without the sign-in pages: what a finished sign-in leaves in
    the session, the user and the django-otp device that passed (the user's confirmed one
    unless given). test_signed_in_client.py checks it matches the real two steps."""
    device = device or TOTPDevice.objects.filter(user=user, confirmed=True).first()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def signed_in_page(new_page, user, locale, *, java_script_enabled=True):
    """A browser signed in the way a person does it: password, then the app's code."""
    page = new_page(locale, java_script_enabled=java_script_enabled)
    page.goto("/accounts/login/")
    page.locator("#id_email").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.locator("#id_code").fill(totp_code(device))
    page.locator("main button[type=submit]").click()
    return page


def assert_accessible(page, name):
    """axe-core finds no serious or critical violation on the page as it stands."""
    results = Axe().run(page)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert violations == [], f"{name}: {violations}"
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^(ja|en)$"))


# -- widths: a phone's and a laptop's --------------------------------------------------------

PHONE, LAPTOP = 390, 1280
SCREENS = {PHONE: {"width": 390, "height": 844}, LAPTOP: {"width": 1280, "height": 800}}

# The page as the browser laid it out. Sideways: the document is wider than the window.
# Beside: from 768 px the main column sits beside the sidebar, not under it. Broken words: in
# every shown table cell (headers, the labels cards give values, short values), each word's
# text spans one line box (Range.getClientRects). Words are split at ordinary white
# space only, so a Japanese run ("ファイル名") is one word, and so is a number tied to its unit
# by a no-break space ("39 バイト"). Cells marked .hub-break (file names, subjects, addresses,
# hashes) are the ones allowed to break long tokens, and are skipped.
MEASURE = """
() => {
  const root = document.documentElement;
  const found = [];
  if (root.scrollWidth > root.clientWidth) {
    const sticksOut = (el) => el.getBoundingClientRect().right > root.clientWidth + 1;
    const culprits = [...document.querySelectorAll("body *")]
      .filter((el) => sticksOut(el) && ![...el.children].some(sticksOut))
      .slice(0, 5)
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`);
    found.push(`scrolls sideways: ${root.scrollWidth} > ${root.clientWidth} px ${culprits}`);
  }
  const nav = document.querySelector(".hub-sidebar"), main = document.querySelector("main");
  if (nav && main && root.clientWidth >= 768
      && main.getBoundingClientRect().left < nav.getBoundingClientRect().right - 1) {
    found.push("the main column dropped below the sidebar");
  }
  const lineCount = (range) => {
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    rects.sort((a, b) => a.top - b.top);
    let lines = 0, bottom = -Infinity;
    for (const r of rects) if (r.top >= bottom - 1) { lines += 1; bottom = r.bottom; }
    return lines;
  };
  for (const cell of document.querySelectorAll("table th, table td")) {
    if (!cell.getClientRects().length) continue;  // not shown at this width
    const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode(); node; node = texts.nextNode()) {
      if (node.parentElement.closest(".hub-break")) continue;
      for (const word of node.data.matchAll(/[^ \\t\\n\\r\\f]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = lineCount(range);
        if (lines > 1) found.push(`"${word[0]}" over ${lines} lines in a <${cell.localName}>`);
      }
    }
  }
  return found;
}
"""


def reads_naturally(page, where: str) -> None:
    """The page does not scroll sideways and no word in its tables is broken over lines."""
    assert page.evaluate(MEASURE) == [], where


def at_width(page, width: int):
    """Lay the page out at a phone's or a laptop's width (PHONE or LAPTOP)."""
    page.set_viewport_size(SCREENS[width])
    return page


def within_reach(control) -> None:
    """A control a person can see and reach at the page's width: shown, and not cut off at
    either side of the window."""
    expect(control).to_be_visible()
    box = control.bounding_box()
    width = control.page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (box, width)


# -- cases ---------------------------------------------------------------------------------


def pk(model, **lookup) -> str:
    return str(model.objects.get(**lookup).pk)


def guide_example(**overrides) -> dict:
    """The guide's own example: Lite company, ESET Premium Support, Endpoint Security 11.0."""
    endpoint = Product.objects.get(code="eset-endpoint-security")
    data = {
        "action": "create",
        "submission_id": "7b0c1f3e-5c2a-4a53-9d55-1f7d0c2c1a01",
        "service": pk(Service, code="premium-support"),
        "subject": "駆除できないウイルスがあります",
        "product_query": "ESET Endpoint Security",
        "product": str(endpoint.pk),
        "product_version": str(endpoint.versions.get(version="11.0").pk),
        "operating_system": pk(OperatingSystem, code="windows-11"),
        "main_content": pk(MainContent, code="malware"),
        "problem": pk(Problem, main_content__code="malware", code="virus-not-removed"),
        "priority": pk(Priority, code="normal"),
        "description": "検出されたウイルスが駆除できません。\nログを添付します。",
    }
    return data | overrides


def detail(case, **query):
    """The case page's address, with `query` as its query string."""
    url = reverse("cases:detail", args=[case.number])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post(client, case, body, *, confirm=True, post_id=None):
    """Share a Chatter post as the form does (the confirmation step answered unless told)."""
    data = {"body": body, "post_id": str(post_id or uuid.uuid4())}
    if confirm:
        data["confirm"] = "yes"
    return client.post(reverse("cases:chatter_post", args=[case.number]), data)


def upload(client, case, *files):
    """Upload `files` to the case's Attachments tab."""
    return client.post(
        reverse("cases:attachments_upload", args=[case.number]), {"files": list(files)}
    )


# -- the case form in a browser -------------------------------------------------------------

CASE_FORM_WORDS = {
    "ja": {
        "create_case": "新しいケースを作成",
        "service": "サービス",
        "subject": "件名",
        "product_id": "商品ID",
        "product": "製品",
        "version": "製品のバージョン",
        "os": "OS",
        "main": "主な内容",
        "problem": "問題",
        "priority": "優先度",
        "description": "説明",
        "create": "作成",
        "malware": "マルウェア",
        "virus": "ウイルスが駆除できませんでした",
        "normal": "一般",
        "complete": "このフィールドを入力してください。",
        "created": "を作成しました",
    },
    "en": {
        "create_case": "Create new case",
        "service": "Service",
        "subject": "Subject",
        "product_id": "Product ID",
        "product": "Product",
        "version": "Product version",
        "os": "OS",
        "main": "Main content",
        "problem": "Problem",
        "priority": "Priority",
        "description": "Description",
        "create": "Create",
        "malware": "Malware",
        "virus": "Virus cannot be removed",
        "normal": "Normal",
        "complete": "Complete this field.",
        "created": "was created",
    },
}


# The fields of the case form's product layout that carry the required mark (製品, 製品の
# バージョン and OS among them: they carried none before).
PRODUCT_LAYOUT_REQUIRED = [
    "service",
    "subject",
    "product",
    "product_version",
    "operating_system",
    "main_content",
    "problem",
    "priority",
    "description",
]

# What the guide's screenshot shows under "ESET Endpoint Security" typed in 商品ID, in order.
GUIDE_SUGGESTIONS = [
    "ESET Endpoint Security",
    "ESET Endpoint Security for Android",
    "ESET Endpoint Security for macOS",
]


def select(page, field_id, label):
    page.locator(f"#{field_id}").select_option(label=label)


def fill_guide_example(page, w, *, scripted):
    """Fill in the guide's example case as a person does: with htmx narrowing the choices as
    they type and pick (`scripted`), or with the form's own refresh buttons without JavaScript."""
    japanese = w is CASE_FORM_WORDS["ja"]
    select(page, "id_service", "ESET Premium Support")
    page.locator("#id_subject").fill("駆除できないウイルス / A virus that cannot be removed")
    if scripted:
        # The 商品ID combobox: type, and pick from the suggestions once they are the guide's.
        page.get_by_role("combobox", name=w["product_id"]).fill("ESET Endpoint Security")
        suggestions = page.get_by_role("listbox", name=w["product_id"]).get_by_role("option")
        expect(suggestions).to_have_text(GUIDE_SUGGESTIONS)
        suggestions.get_by_text("ESET Endpoint Security", exact=True).click()
    else:
        page.locator("#id_product_query").fill("endpoint sec")
        page.get_by_role("button", name="検索" if japanese else "Search").click()
        product = page.locator("#id_product")
        # Pick once the list has narrowed to the three matches (and its placeholder).
        expect(product.locator("option")).to_have_count(4)
        select(page, "id_product", "ESET Endpoint Security")
        page.get_by_role(
            "button",
            name="この製品のバージョンとOSを表示"
            if japanese
            else "Show versions and OS of this product",
        ).click()
    expect(page.locator("#id_product_version option", has_text="11.0")).to_be_attached()
    select(page, "id_product_version", "11.0")
    select(page, "id_operating_system", "Windows 11")
    select(page, "id_main_content", w["malware"])
    if not scripted:
        page.get_by_role(
            "button",
            name="この主な内容の問題を表示"
            if japanese
            else "Show the problems of this main content",
        ).click()
    expect(page.locator("#id_problem option", has_text=w["virus"])).to_be_attached()
    select(page, "id_problem", w["virus"])
    expect(page.locator("#id_priority option:checked")).to_have_text(w["normal"])
    page.locator("#id_description").fill("検出されたウイルスが駆除できません。\nDetails follow.")
