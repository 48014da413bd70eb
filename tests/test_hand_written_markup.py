"""Markup written out by hand for speed stays what Django and crispy would render."""

import re
import uuid

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from cases.filters import CaseFilterForm
from cases.forms import MessageForm
from cases.views import CASE_NUMBER_PLACEHOLDER, ID_PLACEHOLDER, _link_around
from tests.factories import create_attachment, create_case
from tests.helpers import detail

pytestmark = pytest.mark.django_db


def form_part(html: str) -> str:
    """The form's fields as crispy lays them out, whitespace and token aside."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*([<>])\s*", r"\1", html).strip()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_writes_the_chatter_form_as_crispy_renders_it(customer_client, customer, language):
    User.objects.filter(pk=customer.pk).update(language=language)  # the reader's own language
    case = create_case(customer)
    post_id = uuid.uuid4()
    with translation.override(language):
        crispy = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
            Context({"form": MessageForm(initial={"post_id": post_id})})
        )
    page = customer_client.get(detail(case, tab="chatter")).content.decode()
    written = re.search(r'<input type="hidden" name="post_id".*?</div>', page, re.S).group(0)
    written = re.sub(r'value="[^"]*"', f'value="{post_id}"', written, count=1)
    assert form_part(written) == form_part(crispy)


def test_it_builds_each_rows_link_as_reverse_does(customer):
    case = create_case(customer)
    attachment = create_attachment(case, customer)
    case_link = _link_around("cases:detail", CASE_NUMBER_PLACEHOLDER)
    assert case_link["before"] + case.number + case_link["after"] == reverse(
        "cases:detail", args=[case.number]
    )
    file_link = _link_around("cases:attachment_download", case.number, ID_PLACEHOLDER)
    assert file_link["before"] + str(attachment.pk) + file_link["after"] == reverse(
        "cases:attachment_download", args=[case.number, attachment.pk]
    )


def options_of(html: str) -> list[tuple[str, str, bool]]:
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html
        )
    ]


@pytest.mark.parametrize(
    "data",
    [{}, {"state": "open", "mine": "1"}, {"service": "1", "priority": "not-a-priority"}],
)
def test_it_lists_the_filters_options_as_djangos_select_renders_them(customer, catalogue, data):
    filters = CaseFilterForm(data or None, user=customer)
    for field, options in filters.select_lists():
        assert options == options_of(str(field)), field.name
