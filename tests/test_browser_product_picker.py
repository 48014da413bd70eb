"""The product-group layout in Chromium (the guide's last screenshot), in Japanese and English,
with htmx and without JavaScript: exactly its fields under their headings, the available
products in alphabetical order, and a dual list that keeps exactly what the customer moved,
through every refresh, into the case.

The dual list journey runs at a phone's width (390 px) and a laptop's (1280 px), where each
control must be in reach and the page must not scroll sideways."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from cases.models import Case
from catalog.models import Product, ProductGroup
from tests.factories import subscribe
from tests.helpers import LAPTOP, PHONE, at_width, reads_naturally, signed_in_page, within_reach

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A, B = "ESET Business Account", "ESET Cloud Administrator"


def words(language: str) -> dict:
    """The page's words in `language`, as the portal's catalogue has them."""
    msgids = {
        "create_case": "Create new case",
        "service": "Service",
        "subject": "Subject",
        "product_group": "Product group",
        "to_add": "Products to add",
        "available": "Available products",
        "selected": "Selected products",
        "description": "Description",
        "main": "Main content",
        "problem": "Problem",
        "priority": "Priority",
        "all": "All",
        "update": "Update the form for this service",
        "show_group": "Show the products of this group",
        "move": "Move the ticked products",
        "create": "Create",
    }
    with translation.override(language):
        return {key: gettext(msgid) for key, msgid in msgids.items()}


def open_the_form(new_page, user, language, *, scripted, width=LAPTOP):
    user.language = language
    user.save()
    locale = {"ja": "ja-JP", "en": "en-GB"}[language]
    page = signed_in_page(new_page, user, locale, java_script_enabled=scripted)
    at_width(page, width)
    page.goto("/cases/new/")
    page.locator("#id_service").select_option(label="HealthCheck")
    if not scripted:
        page.get_by_role("button", name=words(language)["update"]).click()
    expect(page.get_by_test_id("product-picker")).to_be_visible()
    return page


def move(page, w, name, *, to_selected, scripted):
    """Tick a product under "Available products" or untick it under "Selected products", as
    a person does (then "Move the ticked products" without JavaScript), and wait until it
    shows in the other list."""
    source, target = ("available-products", "selected-products")[:: 1 if to_selected else -1]
    box = page.get_by_test_id(source).get_by_label(name, exact=True)
    box.scroll_into_view_if_needed()
    within_reach(box)
    if scripted:
        # The refresh moves the box to the other list at once: set_checked, which checks the
        # box again after clicking, would look for it where it no longer is.
        box.click()
    else:
        box.set_checked(to_selected)
    if not scripted:
        button = page.get_by_role("button", name=w["move"])
        within_reach(button)
        button.click()
    arrived = page.get_by_test_id(target).get_by_label(name, exact=True)
    expect(arrived).to_be_checked(checked=to_selected)


@pytest.fixture
def ultimate_customer(other_company_customer, other_company):
    subscribe(other_company, "healthcheck")
    return other_company_customer


@pytest.mark.parametrize("width", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("scripted", [True, False], ids=["javascript", "without-javascript"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_files_exactly_the_products_that_were_moved(
    new_page, ultimate_customer, language, scripted, width
):
    w = words(language)
    page = open_the_form(new_page, ultimate_customer, language, scripted=scripted, width=width)
    available = page.get_by_test_id("available-products")
    selected = page.get_by_test_id("selected-products")
    reads_naturally(page, "the product-group layout")
    page.locator("#id_subject").fill("ヘルスチェック / Health check")

    # Add A, add B, remove A.
    move(page, w, A, to_selected=True, scripted=scripted)
    move(page, w, B, to_selected=True, scripted=scripted)
    expect(selected.get_by_role("checkbox")).to_have_count(2)
    reads_naturally(page, "two products selected")
    move(page, w, A, to_selected=False, scripted=scripted)
    expect(selected.get_by_role("checkbox")).to_have_count(1)
    expect(available.get_by_label(A, exact=True)).not_to_be_checked()

    # Another group: B, of no group shown, stays selected; A is not offered there.
    endpoint = ProductGroup.objects.get(code="endpoint")
    page.locator("#id_product_group").select_option(label=getattr(endpoint, f"name_{language}"))
    if not scripted:
        page.get_by_role("button", name=w["show_group"]).click()
    expect(available.get_by_label("ESET Endpoint Security", exact=True)).to_be_visible()
    expect(available.get_by_label(A, exact=True)).to_have_count(0)
    expect(selected.get_by_role("checkbox")).to_have_count(1)
    expect(selected.get_by_label(B, exact=True)).to_be_checked()
    expect(page.locator("#id_subject")).to_have_value("ヘルスチェック / Health check")

    reads_naturally(page, "another group shown")

    page.locator("#id_description").fill("日程を相談させてください。")
    create = page.get_by_role("button", name=w["create"], exact=True)
    within_reach(create)
    create.click()
    expect(page).to_have_url(re.compile(r"/cases/[0-9]{8}/$"))
    case = Case.objects.get()
    assert [p.name_en for p in case.products.all()] == [B]
    expect(page.get_by_text(B, exact=True)).to_be_visible()
    expect(page.get_by_text(A, exact=True)).to_have_count(0)
    reads_naturally(page, "the case filed")
    assert page.problems == []


@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_shows_the_fields_of_the_guides_last_screenshot_in_alphabetical_order(
    new_page, ultimate_customer, language
):
    w = words(language)
    page = open_the_form(new_page, ultimate_customer, language, scripted=True)
    main = page.locator("main")
    for key in ("service", "subject", "product_group", "description"):
        expect(main.locator("label", has_text=w[key]).first).to_be_visible()
    expect(page.locator("#id_product_group option:checked")).to_have_text(w["all"])
    expect(page.get_by_test_id("products-to-add")).to_contain_text(w["to_add"])
    expect(page.get_by_role("group", name=w["available"])).to_be_visible()
    expect(page.get_by_role("group", name=w["selected"])).to_be_visible()
    for key in ("main", "problem", "priority"):
        expect(main.locator("label", has_text=w[key])).to_have_count(0)

    listed = page.get_by_test_id("available-products").locator("label")
    count = Product.objects.filter(active=True, group__active=True).count()
    expect(listed).to_have_count(count)
    names = listed.all_text_contents()
    assert names == sorted(names, key=str.casefold)
    start = names.index(A)
    assert names[start : start + 6] == [
        "ESET Business Account",
        "ESET Cloud Administrator",
        "ESET Cloud Office Security",
        "ESET Connect",
        "ESET Cybersecurity Awareness Training",
        "ESET Direct Endpoint Management for Automation",
    ]
    assert page.problems == []
