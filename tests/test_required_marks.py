"""Every required field carries the mark (crispy's asterisk, and `required` for assistive
technology), every page that shows the mark explains it, and every form says a required field
is empty in one wording: the guide's 「このフィールドを入力してください。」."""

import inspect
import re

import pytest
from django import forms
from django.urls import reverse

import accounts.forms
import cases.filters
import cases.forms
import companion.forms
from cases.forms import FORM_UNREADABLE
from hub.forms import REQUIRED_MESSAGE, OneRequiredMessage
from tests.factories import create_invitation, subscribe
from tests.helpers import PRODUCT_LAYOUT_REQUIRED, force_sign_in

pytestmark = pytest.mark.django_db
NEW = reverse("cases:create")
COMPLETE = "このフィールドを入力してください。"


def marked(page: str, field_id: str) -> bool:
    """Whether the field's label carries the mark and its control says it is required: with
    `required`, or `aria-required` where HTML does not allow `required` (a list without an
    empty first choice, such as the priority)."""
    label = re.search(rf'<label\s+for="{field_id}"[^>]*>(.*?)</label>', page, re.S)
    control = re.search(rf'<(?:input|select|textarea) [^>]*id="{field_id}"[^>]*>', page)
    return bool(
        label
        and '<span class="asteriskField">*</span>' in label.group(1)
        and control
        and re.search(r'\s(required[\s>]|aria-required="true")', control.group(0))
    )


def explains_the_mark(page: str) -> bool:
    return 'data-testid="required-legend"' in page


def test_it_marks_every_required_field_of_the_product_layout(customer_client, lite_services):
    page = customer_client.get(NEW + "?service=premium-support").content.decode()
    form_fields = customer_client.get(NEW + "?service=premium-support").context["form"].fields
    for name in PRODUCT_LAYOUT_REQUIRED:
        assert form_fields[name].required, name
        assert marked(page, f"id_{name}"), name
    # The search box only narrows the product list: it is not a field of the case.
    assert not marked(page, "id_product_query")
    assert explains_the_mark(page)


def test_it_marks_the_instance_ids_of_an_incident_service(customer_client, lite_services):
    page = customer_client.get(NEW + "?service=mdr").content.decode()
    for name in ("eset_protect_instance_id", "eset_inspect_instance_id"):
        assert marked(page, f"id_{name}"), name


def test_it_marks_the_required_fields_of_the_product_group_layout(
    client, other_company_customer, other_company
):
    subscribe(other_company, "healthcheck")
    force_sign_in(client, other_company_customer)
    page = client.get(NEW + "?service=healthcheck").content.decode()
    for name in ("service", "subject", "description"):
        assert marked(page, f"id_{name}"), name
    assert not marked(page, "id_product_group")
    legend = re.search(r'data-testid="products-to-add">(.*?)</legend>', page, re.S)
    assert '<span class="asteriskField">*</span>' in legend.group(1)
    assert explains_the_mark(page)


def test_it_says_complete_this_field_for_every_empty_required_field_of_the_case_form(
    customer_client, customer, lite_services
):
    customer.language = "ja"
    customer.save()
    response = customer_client.post(NEW, {"action": "create", "service": ""})
    errors = response.context["form"].errors
    for name in ("service", "subject", "product", "main_content", "problem", "description"):
        assert errors[name] == [COMPLETE], name


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("accounts:login", ["email", "password"]),
        ("accounts:password_reset", ["email"]),
    ],
)
def test_it_marks_and_words_the_required_fields_of_the_account_forms(client, url, fields):
    page = client.get(reverse(url), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert explains_the_mark(page)
    for name in fields:
        assert marked(page, f"id_{name}"), name
    response = client.post(reverse(url), dict.fromkeys(fields, ""), HTTP_ACCEPT_LANGUAGE="ja")
    for name in fields:
        assert response.context["form"].errors[name] == [COMPLETE], name


def test_it_marks_the_registration_form_and_keeps_its_own_words_for_the_terms(
    client, company, mailoutbox
):
    create_invitation(company, language="ja")
    url = re.search(r"/accounts/register/[\w-]+/", mailoutbox[0].body).group(0)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja", follow=True)
    url, page = response.request["PATH_INFO"], response.content.decode()
    assert explains_the_mark(page)
    for name in ("password1", "password2"):
        assert marked(page, f"id_{name}"), name
    # Name and email are shown, filled in and read-only: nothing to complete there.
    assert not marked(page, "id_full_name") and not marked(page, "id_email")
    empty = {"password1": "", "password2": ""}
    errors = client.post(url, empty, HTTP_ACCEPT_LANGUAGE="ja").context["form"].errors
    assert errors["password1"] == errors["password2"] == [COMPLETE]
    assert errors["accept_terms"] != [COMPLETE]


def test_it_explains_the_mark_on_the_profile(customer_client):
    page = customer_client.get(reverse("accounts:profile")).content.decode()
    assert explains_the_mark(page)
    assert marked(page, "id_time_zone") and marked(page, "id_language")


# -- one wording ------------------------------------------------------------------------------

FORM_MODULES = [accounts.forms, cases.forms, cases.filters, companion.forms]
# Messages more useful than "complete this field" for the one field they belong to.
OWN_MESSAGES = {
    FORM_UNREADABLE,
    accounts.forms.RegistrationForm.base_fields["accept_terms"].error_messages["required"],
}


def portal_forms():
    for module in FORM_MODULES:
        for _name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                yield form


def test_it_knows_the_forms_it_checks():
    names = {form.__name__ for form in portal_forms()}
    assert {"LoginForm", "CaseForm", "ProfileForm", "PairingForm"} <= names


@pytest.mark.parametrize("form", list(portal_forms()), ids=lambda form: form.__name__)
def test_it_words_every_required_field_of_every_portal_form_alike(form):
    required = [field for field in form.base_fields.values() if field.required]
    if not required:
        return
    assert issubclass(form, OneRequiredMessage), form
    for field in required:
        message = field.error_messages["required"]
        assert (
            message is forms.Field.default_error_messages["required"]  # replaced by the mixin
            or message is REQUIRED_MESSAGE
            or message in OWN_MESSAGES
        ), (form, field.label)
