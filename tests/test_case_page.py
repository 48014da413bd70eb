"""The case page: its query budget and its Attachments tab (the bars: test_case_progress.py)."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.template import defaultfilters
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from cases.models import Message
from cases.services import message_post
from tests.factories import create_attachment
from tests.helpers import detail

pytestmark = pytest.mark.django_db


def test_it_renders_the_customer_case_page_in_a_fixed_number_of_queries(
    customer_client, customer, operator, make_case
):
    case = make_case(customer)
    message_post(case=case, author=customer, body="1", post_id=uuid.uuid4())
    customer_client.get(detail(case, tab="chatter"))  # reads the catalogue (catalog/cache.py)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            customer_client.get(detail(case, tab="chatter"))
            customer_client.get(detail(case, tab="attachments"))
        counts.append(len(queries))
        Message.objects.bulk_create(
            Message(case=case, author=a, body="x", post_id=uuid.uuid4(), by_operator=a.is_staff)
            for a in [customer, operator] * 100
        )
    assert counts[0] == counts[1]


def test_it_lists_files_in_the_readers_language_and_time_zone_with_current_names(
    customer_client, customer, operator, make_case
):
    # Rows of the Attachments tab are kept between pages (cases/_attachments.html): never
    # across languages, time zones or an uploader's renaming.
    case = make_case(customer)
    create_attachment(case, operator, name="report.txt")
    page = customer_client.get(detail(case, tab="attachments")).content.decode()
    assert "ESETサポート" in page and "Olga Operator" in page and "report.txt" in page
    customer.language, customer.time_zone = "en", "UTC"
    customer.save()
    operator.full_name = "Olga Renamed"
    operator.save()
    page = customer_client.get(detail(case, tab="attachments")).content.decode()
    assert "ESET support" in page and "ESETサポート" not in page
    assert "Olga Renamed" in page and "Olga Operator" not in page
    with translation.override("en"):
        uploaded = timezone.localtime(case.attachments.get().created_at, dt.UTC)
        assert defaultfilters.date(uploaded, "DATETIME_FORMAT") in page


def test_it_lists_the_newest_files_and_every_one_on_demand(
    customer_client, customer, make_case, settings
):
    settings.ATTACHMENT_MAX_FILES = 30
    case = make_case(customer)
    for n in range(22):
        create_attachment(case, customer, name=f"file-{n:02d}.txt")
    response = customer_client.get(detail(case, tab="attachments"))
    names = [a.name for a in response.context["attachments"]]
    assert names == [f"file-{n:02d}.txt" for n in range(2, 22)]  # the newest 20, oldest first
    assert 'data-testid="attachments-all"' in response.content.decode()
    everything = customer_client.get(detail(case, tab="attachments", files="all"))
    assert [a.name for a in everything.context["attachments"]][:3] == [
        "file-00.txt",
        "file-01.txt",
        "file-02.txt",
    ]
    assert len(everything.context["attachments"]) == 22
    assert 'data-testid="attachments-all"' not in everything.content.decode()
    assert 'name="files"' in everything.content.decode()  # the upload form stays
