"""The case form never refuses without saying why: errors of hidden fields and of the whole form
are shown, and fields the chosen layout hides are not read at all."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy

from cases.forms import FORM_UNREADABLE
from cases.models import Case, CaseStatus
from catalog.models import ProductGroup, Service
from tests.factories import subscribe
from tests.helpers import force_sign_in, guide_example, pk

pytestmark = pytest.mark.django_db
NEW = reverse("cases:create")


def shown_errors(response) -> list[str]:
    """The texts in the page's error summary, the box every refusal without a field shows in."""
    match = re.search(r'data-testid="form-errors">(.*?)</div>', response.content.decode(), re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1), re.S) if match else []


def in_language(user, text) -> str:
    with translation.override(user.language):
        return escape(str(text))


@pytest.mark.parametrize("value", ["", "not-a-uuid", "7b0c1f3e-5c2a-4a53-9d55-1f7d0c2c1a0"])
def test_it_shows_why_a_tampered_form_id_is_refused(
    customer_client, customer, lite_services, value
):
    response = customer_client.post(NEW, guide_example(submission_id=value))
    assert response.status_code == 200 and not Case.objects.exists()
    errors = shown_errors(response)
    assert any(in_language(customer, FORM_UNREADABLE) in error for error in errors), errors


def test_it_shows_why_a_tampered_follow_up_is_refused(customer_client, customer, lite_services):
    response = customer_client.post(NEW, guide_example(follows="99999999"))
    assert not Case.objects.exists()
    expected = in_language(customer, gettext_lazy("This case cannot be followed up."))
    assert any(expected in error for error in shown_errors(response))


def test_it_shows_why_in_the_htmx_partial_too(customer_client, customer, lite_services):
    response = customer_client.post(NEW, guide_example(submission_id="x"), HTTP_HX_REQUEST="true")
    assert not Case.objects.exists()
    assert "<html" not in response.content.decode()
    assert any(in_language(customer, FORM_UNREADABLE) in error for error in shown_errors(response))


def test_it_ignores_fields_the_chosen_layout_hides(customer_client, company, lite_services):
    # A product-layout service with stale, forged values in the product-group fields (and in
    # the instance ids it does not ask for): nothing there can refuse the form unseen.
    response = customer_client.post(
        NEW,
        guide_example(
            product_group="not-an-id",
            products=["-1", "x"],
            eset_protect_instance_id="<bad id>",
        ),
    )
    assert response.status_code == 302, shown_errors(response)
    case = Case.objects.get()
    assert case.product_group is None and not case.products.exists()
    assert case.eset_protect_instance_id == ""


def test_it_ignores_product_fields_on_the_product_group_layout(
    customer_client, other_company_customer, other_company
):
    subscribe(other_company, "healthcheck")
    customer_client.logout()
    force_sign_in(customer_client, other_company_customer)
    group = ProductGroup.objects.filter(active=True, products__active=True).first()
    data = guide_example(
        service=pk(Service, code="healthcheck"),
        product="abc",
        product_version="-5",
        operating_system="9" * 30,
        products=[str(group.products.filter(active=True).first().pk)],
    )
    response = customer_client.post(NEW, data)
    assert response.status_code == 302, shown_errors(response)
    case = Case.objects.get()
    assert case.product_id is None and case.products.count() == 1


@pytest.mark.parametrize("service", ["١", "１", " {pk}", "{pk} "])
def test_it_takes_ids_only_in_ascii_digits(customer_client, lite_services, service):
    # Django alone reads these as the id: the form narrowed its lists for "no service" and
    # then validated a service, refusing on fields it had not shown.
    value = service.format(pk=pk(Service, code="mdr"))
    response = customer_client.post(NEW, guide_example(service=value))
    assert not Case.objects.exists()
    assert "service" in response.context["form"].errors
    assert 'class="invalid-feedback' in response.content.decode()


def test_it_keeps_the_follow_up_through_the_form(customer_client, customer, lite_services):
    customer_client.post(NEW, guide_example())
    old = Case.objects.get()
    old.move_to(CaseStatus.RESOLVED)
    old.save()
    page = customer_client.get(f"{NEW}?follows={old.number}&service=premium-support")
    assert f'name="follows" value="{old.number}"' in page.content.decode()
    assert customer_client.get(f"{NEW}?follows=abc").context["form"].initial.get("follows") is None
