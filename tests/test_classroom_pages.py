"""The classroom journey (bench/classroom_journey.py) reads the real pages as a browser would:
these check its reading against them, so a changed template or catalogue label breaks here
rather than in the middle of `make bench`."""

import pytest
from django.urls import reverse

from bench.classroom_pages import EXAMPLE, form_of, pick, totp
from cases.models import Case
from catalog.models import Service
from tests.helpers import totp_code

pytestmark = pytest.mark.django_db
NEW = reverse("cases:create")


def test_it_computes_the_code_the_app_shows(customer):
    device = customer.totpdevice_set.get()
    assert totp(device.bin_key) == totp_code(device)


def test_it_files_the_guides_example_as_the_journey_does(customer_client, lite_services):
    form = form_of(customer_client.get(NEW).content.decode(), action=NEW)
    assert {"csrfmiddlewaretoken", "submission_id"} <= form["values"].keys()
    values = form["values"] | {"service": pick(form, "service", EXAMPLE["service"])}
    assert values["service"] == str(Service.objects.get(code="premium-support").pk)

    def refresh(**changed):
        values.update(changed)
        answer = customer_client.post(
            NEW, values | {"action": "refresh"}, headers={"HX-Request": "true"}
        )
        # htmx's answer is the fields alone, as the journey reads it.
        return form_of(f'<form action="{NEW}">{answer.content.decode()}</form>', action=NEW)

    form = refresh()
    form = refresh(subject=EXAMPLE["subject"], product_query=EXAMPLE["product_query"])
    form = refresh(product=pick(form, "product", EXAMPLE["product"]))
    values["product_version"] = pick(form, "product_version", EXAMPLE["product_version"])
    values["operating_system"] = pick(form, "operating_system", EXAMPLE["operating_system"])
    form = refresh(main_content=pick(form, "main_content", EXAMPLE["main_content"]))
    values["problem"] = pick(form, "problem", EXAMPLE["problem"])
    values["description"] = EXAMPLE["description"]
    assert form["values"]["priority"], "the default priority is picked"

    response = customer_client.post(NEW, values | {"action": "create"})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[case.number])
    assert (case.product.name, case.problem.main_content.code) == (EXAMPLE["product"], "malware")


def test_it_finds_the_chatter_confirmation_form(customer_client, customer, make_case):
    case = make_case(customer)
    detail = reverse("cases:detail", args=[case.number]) + "?tab=chatter"
    post = reverse("cases:chatter_post", args=[case.number])
    form = form_of(customer_client.get(detail).content.decode(), action=post)
    page = customer_client.post(post, form["values"] | {"body": "ログを添付しました。"})
    confirm = form_of(page.content.decode(), action=post, field="confirm")
    assert customer_client.post(post, confirm["values"]).status_code == 302
    assert case.messages.get().body == "ログを添付しました。"
