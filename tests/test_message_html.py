"""Messages and case descriptions keep their HTML, made once when written; pages print it."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cases.models import Case, Message
from cases.text import message_html
from tests.factories import create_case_of_schema, create_message
from tests.helpers import detail, guide_example

pytestmark = pytest.mark.django_db

TEXT = "ログはこちら https://example.com/log?a=1&b=2\n二行目 <b>太字ではない</b>"
LINK = '<a href="https://example.com/log?a=1&amp;b=2" rel="nofollow">'


def test_it_escapes_markup_and_never_links_script_urls():
    html = message_html(
        '<script>alert(1)</script> <a href="javascript:alert(1)">x</a> javascript:go'
    )
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<a" not in html and "&lt;a href=&quot;javascript:alert(1)&quot;&gt;" in html


def test_it_makes_links_clickable_and_keeps_line_breaks():
    html = message_html(TEXT)
    assert LINK in html
    assert "<br>二行目 &lt;b&gt;太字ではない&lt;/b&gt;" in html


def test_it_leaves_japanese_text_as_it_is():
    text = "お世話になっております。\n全角：ＡＢＣ１２３、半角ｶﾅ、記号「」・〜"
    assert message_html(text) == text.replace("\n", "<br>")


def test_it_stores_the_html_of_a_post_and_of_a_new_case(customer_client, lite_services, operator):
    customer_client.post(reverse("cases:create"), guide_example(description=TEXT))
    case = Case.objects.get()
    assert case.description_html == message_html(TEXT)
    create_message(case, operator, TEXT)
    assert Message.objects.get().body_html == message_html(TEXT)


def test_it_prints_the_stored_html_without_making_it_again(
    customer_client, operator_client, customer, make_case
):
    case = make_case(customer)
    create_message(case, customer, "本文")
    # What the pages print is what was stored, not the text filtered again at each view.
    Message.objects.update(body_html="<b>stored message</b>")
    Case.objects.update(description_html="<b>stored description</b>")
    assert "<b>stored description</b>" in customer_client.get(detail(case)).content.decode()
    chatter = customer_client.get(detail(case, tab="chatter")).content.decode()
    assert "<b>stored message</b>" in chatter
    admin_page = operator_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert "<b>stored message</b>" in admin_page.content.decode()


def test_it_shows_rows_written_without_html_all_the_same(
    customer_client, operator_client, customer, make_case
):
    # A bulk insert (the data generator, a hand-made fixture) stores no HTML.
    case = make_case(customer)
    Case.objects.filter(pk=case.pk).update(description=TEXT, description_html="")
    Message.objects.bulk_create(
        [Message(case=case, author=customer, body=TEXT, post_id=uuid.uuid4())]
    )
    for url in (
        detail(case),
        detail(case, tab="chatter"),
        reverse("admin:cases_case_change", args=[case.pk]),
    ):
        page = customer_client.get(url) if url.startswith("/cases") else operator_client.get(url)
        content = page.content.decode()
        assert LINK in content and "&lt;b&gt;太字ではない&lt;/b&gt;" in content, url


@pytest.mark.django_db(transaction=True)
def test_it_makes_the_html_of_descriptions_filed_before_the_migration(catalogue, customer):
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0004_message_body_html")])
    old_apps = executor.loader.project_state([("cases", "0004_message_body_html")]).apps
    old = create_case_of_schema(old_apps, customer, description=TEXT)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Case.objects.get(pk=old.pk).description_html == message_html(TEXT)
