"""No English left in the Japanese interface, and no Japanese in the English one: a customer and
an operator walk the main pages in Chromium, and every text a person can see or hear (text,
aria-label, alt, title, placeholder, the page title) is read.

In Japanese, a Latin word fails unless it is a name the glossary keeps as written: products and
services of the catalogue, the portal's and the authenticators' names, and codes such as OS, ID,
QR, PDF (ALLOWED below). E-mail addresses and links are left out before reading. In English, a
Japanese character fails unless it names the Japanese language in the language switcher."""

import re

import pytest
from django.apps import apps

from tests.factories import create_attachment, create_case, create_message, create_user
from tests.helpers import PASSWORD, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Names and codes shown as written in Japanese too (docs/glossary-ja.md, "Writing").
ALLOWED = {
    # the portal, its maker, and the authenticator apps the guide names
    *("ESET", "Services", "HUB", "Hub", "Authenticator", "Google", "Microsoft", "Salesforce"),
    # codes and formats
    *("OS", "ID", "IDs", "QR", "TOTP", "PDF", "PNG", "JPEG", "GIF", "ZIP", "RAR", "gzip"),
    *("MB", "KB", "GB", "SHA", "UTC", "EP", "EI", "txt"),
}
# The language switcher names each language in itself: English in Japanese, 日本語 in English.
ALLOWED.add("English")
JAPANESE_IN_ENGLISH = {"日本語"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]+")
# Left out before reading: e-mail addresses, links, SHA-256 digests, and codes such as the
# devices' authenticator-app or the catalogue's eset-mdr.
ADDRESSES = re.compile(r"\S+@\S+|https?://\S+|\b[0-9a-f]{64}\b|\b[a-z0-9]+(?:-[a-z0-9]+)+\b")

TEXTS_JS = """() => {
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent && !parent.closest("script, style")) texts.push(walker.currentNode.textContent);
  }
  for (const el of document.querySelectorAll("[aria-label], [alt], [title], [placeholder]")) {
    for (const name of ["aria-label", "alt", "title", "placeholder"]) {
      if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  return texts;
}"""

DATA = {
    "ja": {
        "company": "サンプル商事株式会社",
        "customer": "佐藤 由紀",
        "colleague": "田中 健",
        "operator": "鈴木 一郎",
        "subject": "駆除できないウイルスがあります",
        "post": "ログを添付します。",
        "reply": "ログを確認しました。",
        "file": "検出ログ.txt",
    },
    "en": {
        "company": "Sample Trading Ltd",
        "customer": "Yuki Sato",
        "colleague": "Ken Tanaka",
        "operator": "Olga Operator",
        "subject": "A virus that cannot be removed",
        "post": "Logs attached.",
        "reply": "We have checked the logs.",
        "file": "detection-log.txt",
    },
}


def catalogue_words() -> set[str]:
    """Every Latin word of the catalogue's Japanese names: product and service names."""
    words = set()
    for model in apps.get_app_config("catalog").get_models():
        if any(field.name == "name_ja" for field in model._meta.fields):
            for name in model.objects.values_list("name_ja", flat=True):
                words |= set(LATIN_WORD.findall(name))
    return words


def foreign(texts: list[str], language: str, allowed: set[str]) -> dict[str, str]:
    """The words of `texts` in the other language's script, each with the text it was in."""
    found = {}
    for text in texts:
        text = " ".join(ADDRESSES.sub(" ", text).split())
        if language == "ja":
            words = set(LATIN_WORD.findall(text)) - allowed
        else:
            words = set(JAPANESE.findall(text)) - JAPANESE_IN_ENGLISH
        found.update({word: text[:80] for word in words})
    return found


class Reader:
    """Collects, page by page, the words a reader of `language` should not meet."""

    def __init__(self, page, language):
        self.page, self.language = page, language
        self.allowed = ALLOWED | catalogue_words()
        self.problems: list[str] = []

    def read(self, label: str) -> None:
        self.page.wait_for_load_state("load")
        words = foreign(self.page.evaluate(TEXTS_JS), self.language, self.allowed)
        self.problems += [f"{label}: {word!r} in {text!r}" for word, text in words.items()]

    def visit(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, path
        self.read(path)


@pytest.fixture
def scene(company, operator, customer, colleague, lite_services):
    """A company with a case that has a thread and an attachment, in `language`."""

    def build(language):
        data = DATA[language]
        company.name = data["company"]
        company.save()
        customer.full_name, customer.language = data["customer"], language
        customer.save()
        operator.full_name, operator.language = data["operator"], language
        operator.save()
        colleague.full_name, colleague.language = data["colleague"], language
        colleague.save()
        case = create_case(customer, subject=data["subject"], description=data["post"])
        create_message(case, customer, data["post"])
        create_message(case, operator, data["reply"])
        create_attachment(case, customer, name=data["file"], content=b"scan log\n")
        create_user(email="invitee@example.com", full_name=data["customer"], company=company)
        return case

    return build


def sign_in(reader: Reader, user) -> None:
    """The two sign-in pages, read on the way."""
    page = reader.page
    page.goto("/accounts/login/")
    reader.read("login")
    page.locator("#id_email").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.locator("#id_code").wait_for()
    reader.read("second factor")
    device = user.totpdevice_set.get(confirmed=True)
    page.locator("#id_code").fill(totp_code(device))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_shows_a_customer_only_their_language(new_page, scene, customer, language, locale):
    case = scene(language)
    reader = Reader(new_page(locale), language)
    reader.visit("/accounts/password/reset/")
    reader.visit("/accounts/terms/")
    sign_in(reader, customer)
    for path in [
        "/",
        "/cases/new/",
        f"/cases/{case.number}/",
        f"/cases/{case.number}/?tab=chatter",
        f"/cases/{case.number}/?tab=attachments",
        "/accounts/profile/",
        "/accounts/profile/password/",
    ]:
        reader.visit(path)
    assert reader.problems == [], "\n".join(reader.problems)


@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_shows_an_operator_only_their_language(new_page, scene, operator, language, locale):
    case = scene(language)
    reader = Reader(new_page(locale), language)
    sign_in(reader, operator)
    for path in [
        "/admin/",
        "/admin/cases/case/",
        f"/admin/cases/case/{case.pk}/change/",
        "/admin/accounts/user/",
        "/admin/accounts/company/",
        "/admin/accounts/invitation/",
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_static/staticdevice/",
        "/admin/hub/outboundemail/",
    ]:
        reader.visit(path)
    assert reader.problems == [], "\n".join(reader.problems)
