"""The 商品ID box in Chromium, in Japanese and English, at phone (390 px) and desktop
(1280 px) width. With JavaScript: a WAI-ARIA combobox whose suggestions the server sends as
the customer types (the guide's three for "ESET Endpoint Security", in its order), worked
with the keyboard and the mouse, its count said in a live region. Without: the search box,
its "Search" button and the plain product list, narrowed the same way."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import expect

from cases.models import Case
from tests.helpers import (
    CASE_FORM_WORDS,
    GUIDE_SUGGESTIONS,
    assert_accessible,
    select,
    signed_in_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCALES = {"ja": "ja-JP", "en": "en-GB"}
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
MSGIDS = {
    "product_id": "Product ID",
    "product": "Product",
    "placeholder": "Search ...",
    "search": "Search",
    "show_versions": "Show versions and OS of this product",
    "create": "Create",
    "complete": "Complete this field.",
    "none": "No product matches. Try another part of its name.",
}


def words(language: str) -> dict:
    """The page's words in `language`, as the portal's catalogue has them."""
    with translation.override(language):
        said = {key: gettext(msgid) for key, msgid in MSGIDS.items()}
        said["three"] = ngettext(
            "%(counter)s product matches.", "%(counter)s products match.", 3
        ) % {"counter": 3}
    return said | {key: CASE_FORM_WORDS[language][key] for key in ("malware", "virus")}


def open_the_form(new_page, user, language, *, scripted):
    user.language = language
    user.save()
    page = signed_in_page(new_page, user, LOCALES[language], java_script_enabled=scripted)
    page.set_viewport_size(PHONE)
    page.goto("/cases/new/?service=premium-support")
    return page


def fits(page, locator, size):
    """At this window size: no sideways scrolling, and `locator` wholly inside the window."""
    page.set_viewport_size(size)
    box = locator.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (size, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], size


@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_suggests_products_as_the_customer_types(new_page, customer, lite_services, language):
    w = words(language)
    page = open_the_form(new_page, customer, language, scripted=True)
    box = page.get_by_role("combobox", name=w["product_id"])
    listbox = page.get_by_role("listbox", name=w["product_id"])
    options = listbox.get_by_role("option")
    status = page.locator("#product-suggestions-status")
    expect(box).to_have_attribute("placeholder", w["placeholder"])
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".hub-combobox-icon")).to_be_visible()
    # The plain list is the no-JavaScript path: the box is how the product is chosen here.
    expect(page.locator("#id_product")).to_be_hidden()
    expect(page.get_by_role("button", name=w["search"], exact=True)).to_be_hidden()

    # Create with nothing: the box says the product is missing, as every required field does.
    page.get_by_role("button", name=w["create"], exact=True).click()
    expect(page.locator(".hub-combobox").get_by_text(w["complete"])).to_be_visible()
    expect(box).to_have_attribute("aria-invalid", "true")

    box.fill("ESET Endpoint Security")
    expect(options).to_have_text(GUIDE_SUGGESTIONS)
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(status).to_have_text(w["three"])
    fits(page, listbox, PHONE)
    fits(page, listbox, DESKTOP)
    assert_accessible(page, "the 商品ID box with its suggestions")

    # Japanese, in katakana and in hiragana, and full width: the same products.
    box.fill("エンドポイント")
    expect(options.filter(has_text="ESET Endpoint Antivirus for Linux")).to_have_count(1)
    expect(options.filter(has_text="ESET Endpoint Security for Android")).to_have_count(1)
    box.fill("えんどぽいんと せきゅりてぃ")
    expect(options).to_have_text(GUIDE_SUGGESTIONS)
    box.fill("ｎｏ ｓｕｃｈ")
    expect(status).to_have_text(w["none"])
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.fill("ＥＳＥＴ　ｅｎｄｐｏｉｎｔ　ｓｅｃ")
    expect(options).to_have_text(GUIDE_SUGGESTIONS)

    # The keyboard: the active option is the box's aria-activedescendant; focus stays put.
    page.set_viewport_size(PHONE)
    box.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    first_id = options.nth(0).get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    box.press("ArrowUp")
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")  # round to the last
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    expect(box).to_have_value("ＥＳＥＴ　ｅｎｄｐｏｉｎｔ　ｓｅｃ")
    box.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    box.press("Enter")  # picks "… for Android", and does not send the form

    expect(box).to_have_value("ESET Endpoint Security for Android")
    expect(listbox).to_be_hidden()
    expect(box).to_be_focused()
    expect(box).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".hub-combobox").get_by_text(w["complete"])).to_have_count(0)
    expect(page.locator("#id_operating_system option", has_text="Android")).not_to_have_count(0)

    # The mouse (a tap on a phone): another product, its versions follow.
    box.fill("ESET Endpoint Security")
    options.get_by_text("ESET Endpoint Security", exact=True).click()
    expect(box).to_have_value("ESET Endpoint Security")
    expect(page.locator("#id_product_version option", has_text="11.0")).to_be_attached()

    # A search left unpicked gives way to the product chosen when the box is left.
    box.fill("Bridge")
    expect(options).to_have_text(["ESET Bridge"])
    page.locator("#id_subject").click()
    expect(box).to_have_value("ESET Endpoint Security")
    expect(listbox).to_be_hidden()

    select(page, "id_product_version", "11.0")
    select(page, "id_operating_system", "Windows 11")
    page.locator("#id_subject").fill("製品の検索 / Product search")
    select(page, "id_main_content", w["malware"])
    expect(page.locator("#id_problem option", has_text=w["virus"])).to_be_attached()
    select(page, "id_problem", w["virus"])
    page.locator("#id_description").fill("検出されたウイルスが駆除できません。")
    page.get_by_role("button", name=w["create"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/cases/[0-9]{8}/$"))
    assert Case.objects.get().product.code == "eset-endpoint-security"
    assert page.problems == []


@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_searches_with_a_button_and_a_list_without_javascript(
    new_page, customer, lite_services, language
):
    w = words(language)
    page = open_the_form(new_page, customer, language, scripted=False)
    search = page.get_by_role("searchbox", name=w["product_id"])
    expect(search).to_have_attribute("placeholder", w["placeholder"])
    expect(page.get_by_role("combobox", name=w["product_id"])).to_have_count(0)
    # Not required itself: the list below is the field, and carries the mark.
    expect(page.locator("label[for=id_product_query] .asteriskField")).to_be_hidden()
    expect(page.locator("label[for=id_product] .asteriskField")).to_be_visible()

    page.get_by_role("button", name=w["create"], exact=True).click()
    expect(page.locator("#div_id_product").get_by_text(w["complete"])).to_be_visible()
    # The list is what is missing: said there, not under the box.
    expect(search).not_to_have_class(re.compile("is-invalid"))
    expect(page.locator(".hub-combobox").get_by_text(w["complete"])).to_be_hidden()

    search.fill("えんどぽいんと せきゅりてぃ")
    page.get_by_role("button", name=w["search"], exact=True).click()
    products = page.locator("#id_product option")
    expect(products).to_have_count(len(GUIDE_SUGGESTIONS) + 1)  # and "Select product"
    assert products.all_text_contents()[1:] == GUIDE_SUGGESTIONS
    fits(page, page.locator("#id_product"), PHONE)
    fits(page, page.locator("#id_product"), DESKTOP)

    select(page, "id_product", "ESET Endpoint Security for macOS")
    page.get_by_role("button", name=w["show_versions"]).click()
    expect(page.locator("#id_operating_system option", has_text="macOS").first).to_be_attached()
    expect(page.locator("#id_product option:checked")).to_have_text(
        "ESET Endpoint Security for macOS"
    )
    expect(search).to_have_value("えんどぽいんと せきゅりてぃ")
    assert page.problems == []
