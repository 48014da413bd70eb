"""Emails read as a Japanese reader expects: every person addressed as 様 (never さん), names as
the person writes them (family name first), dates as 「2026年11月30日 9:01」 in the reader's time
zone; the English emails say the same in English."""

import datetime as dt
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import security_notice
from cases.services import message_post
from tests.helpers import guide_example

pytestmark = pytest.mark.django_db
JAPANESE_DATE_TIME = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}")


def mail_to(mailoutbox, user):
    return next(m for m in reversed(mailoutbox) if m.to == [user.email])


@pytest.fixture
def colleague_client(signed_in_client, colleague):
    return signed_in_client(colleague)


def test_it_addresses_the_reader_and_the_colleague_who_filed_the_case_as_sama(
    customer, colleague, colleague_client, lite_services, mailoutbox
):
    colleague_client.post(reverse("cases:create"), guide_example())
    mail = mail_to(mailoutbox, customer)
    text, html = mail.body, mail.alternatives[0][0]

    assert text.startswith("佐藤 由紀 様\n")
    assert "田中 健 様がケース" in text and "田中 健 様がケース" in html
    assert "さん" not in text + html + mail.subject


def test_it_writes_the_english_email_in_english_order(
    customer, colleague, colleague_client, lite_services, mailoutbox
):
    customer.language = "en"
    customer.save()
    colleague_client.post(reverse("cases:create"), guide_example())
    text = mail_to(mailoutbox, customer).body

    assert text.startswith("Dear 佐藤 由紀,\n")
    assert "was created by 田中 健." in text
    assert "様" not in text and "さん" not in text


def test_it_tells_the_creator_of_their_own_case_in_the_first_person(
    customer, customer_client, lite_services, mailoutbox
):
    customer_client.post(reverse("cases:create"), guide_example())
    mail = mail_to(mailoutbox, customer)
    text, html = mail.body, mail.alternatives[0][0]
    number = re.search(r"ケース (\S+) を作成しました。", text).group(1)

    assert text.startswith("佐藤 由紀 様\n")
    assert f"ケース {number} を作成しました。" in html
    assert "様が" not in text + html, "the reader is not told of themselves by name"


def test_it_tells_an_english_creator_of_their_own_case_in_the_first_person(
    customer, customer_client, lite_services, mailoutbox
):
    customer.language = "en"
    customer.save()
    customer_client.post(reverse("cases:create"), guide_example())
    text = mail_to(mailoutbox, customer).body

    assert re.search(r"^You created case \S+\.$", text, re.M)
    assert "created by" not in text


def test_it_names_the_customer_with_company_and_sama_to_the_operator(
    customer, operator, make_case, mailoutbox
):
    operator.full_name = "鈴木 一郎"
    operator.save()
    case = make_case(customer)
    message_post(case=case, author=customer, body="ログを添付します。", post_id=uuid.uuid4())
    text = mail_to(mailoutbox, operator).body

    assert text.startswith("鈴木 一郎 様\n")
    # No space between a Japanese value and the Japanese around it.
    assert f"Example株式会社の佐藤 由紀 様がケース {case.number} に投稿しました。" in text
    assert "さん" not in text


@pytest.fixture
def clock(monkeypatch):
    """Stop the clock at `moment` (what services read as timezone.now())."""

    def stop(moment: dt.datetime):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return stop


def test_it_dates_a_japanese_email_in_the_readers_time_zone(customer, settings, clock, mailoutbox):
    settings.TIME_ZONE = "UTC"  # the server's zone is not the reader's
    customer.time_zone = "Asia/Tokyo"
    customer.save()
    clock(dt.datetime(2026, 11, 29, 23, 1, tzinfo=dt.UTC))  # the link lasts an hour
    Client().post(reverse("accounts:password_reset"), {"email": customer.email})
    text = mail_to(mailoutbox, customer).body

    assert JAPANESE_DATE_TIME.findall(text) == ["2026年11月30日 9:01"]
    assert "このリンクは 2026年11月30日 9:01 まで、一度だけ使用できます。" in text


def test_it_dates_a_security_notice_with_japanese_punctuation(
    customer, settings, clock, mailoutbox
):
    settings.TIME_ZONE = "UTC"
    customer.time_zone = "Asia/Tokyo"
    customer.save()
    clock(dt.datetime(2026, 11, 30, 0, 1, tzinfo=dt.UTC))
    security_notice(user=customer, event="password_changed")
    mail = mail_to(mailoutbox, customer)

    assert "パスワードが変更されました（2026年11月30日 9:01）。" in mail.body
    assert "パスワードが変更されました（2026年11月30日 9:01）。" in mail.alternatives[0][0]


def test_it_dates_an_english_email_in_the_readers_time_zone(customer, settings, clock, mailoutbox):
    settings.TIME_ZONE = "Asia/Tokyo"
    customer.language, customer.time_zone = "en", "America/New_York"
    customer.save()
    clock(dt.datetime(2026, 11, 30, 0, 1, tzinfo=dt.UTC))
    security_notice(user=customer, event="password_changed")
    text = mail_to(mailoutbox, customer).body

    assert "Your password was changed (Nov. 29, 2026, 7:01 p.m.)." in text
    assert not JAPANESE_DATE_TIME.search(text)
