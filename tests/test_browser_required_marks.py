"""The required marks of the case form's product layout in Chromium, in Japanese and English,
with and without JavaScript, at a phone's width (390 px) and a laptop's (1280 px): each required
field shows the mark and says it is required to assistive technology, the page says what the
mark means, and an empty required field says so in the guide's words. One page and one submit
each, so every combination runs."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from hub.forms import REQUIRED_MESSAGE
from tests.helpers import (
    LAPTOP,
    PHONE,
    PRODUCT_LAYOUT_REQUIRED,
    at_width,
    reads_naturally,
    signed_in_page,
    within_reach,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("scripted", [True, False], ids=["javascript", "without-javascript"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_marks_every_required_field_of_the_product_layout(
    new_page, customer, lite_services, language, scripted, width
):
    customer.language = language
    customer.save()
    locale = {"ja": "ja-JP", "en": "en-GB"}[language]
    page = signed_in_page(new_page, customer, locale, java_script_enabled=scripted)
    at_width(page, width)
    page.goto("/cases/new/?service=premium-support")
    with translation.override(language):
        legend = gettext("Fields marked %(mark)s are required.") % {"mark": "*"}
        complete, create = str(REQUIRED_MESSAGE), gettext("Create")
    expect(page.get_by_test_id("required-legend")).to_have_text(legend)

    # With JavaScript the product is chosen in the 商品ID box, which then carries its mark;
    # without, in the plain list below it.
    product_mark = page.locator("label[for=id_product_query] .asteriskField")
    if scripted:
        expect(product_mark).to_be_visible()
    else:
        expect(product_mark).to_be_hidden()
    for name in PRODUCT_LAYOUT_REQUIRED:
        if name == "product" and scripted:
            continue
        expect(page.locator(f"label[for=id_{name}] .asteriskField")).to_be_visible()
        control = page.locator(f"#id_{name}")
        within_reach(control)
        # `required` where HTML allows it; a list with no empty first choice says aria-required.
        if name == "priority":
            expect(control).to_have_attribute("aria-required", "true")
        else:
            expect(control).to_have_attribute("required", "")

    reads_naturally(page, "the case form")

    submit = page.get_by_role("button", name=create, exact=True)
    within_reach(submit)
    submit.click()
    shown = ["product_version", "operating_system"] + ([] if scripted else ["product"])
    for name in shown:
        message = page.locator(f"#div_id_{name} .invalid-feedback")
        expect(message).to_have_text(complete)
        within_reach(message)
    reads_naturally(page, "the case form, telling what is missing")
    assert page.problems == []
