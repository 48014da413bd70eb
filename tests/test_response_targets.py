"""Response targets read as a person says them (「初回回答の目標: 24 時間以内」, not 1440 minutes)
and are marked as targets, not commitments: on the case page and in the operators' admin."""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from cases.models import Case
from catalog.models import ResponseTarget
from catalog.response_targets import duration_text
from tests.helpers import detail

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("minutes", "ja", "en"),
    [
        (1, "1 分", "1 minute"),
        (20, "20 分", "20 minutes"),
        (90, "90 分", "90 minutes"),
        (60, "1 時間", "1 hour"),
        (120, "2 時間", "2 hours"),
        (150, "2 時間 30 分", "2 hours 30 minutes"),
        (480, "8 時間", "8 hours"),
        (1440, "24 時間", "24 hours"),
        (2160, "36 時間", "36 hours"),
        (2880, "2 日", "2 days"),
        (4320, "3 日", "3 days"),
    ],
)
def test_it_says_a_duration_in_the_unit_a_person_would_use(minutes, ja, en):
    for language, expected in (("ja", ja), ("en", en)):
        with translation.override(language):
            assert duration_text(minutes) == expected


def target_row(response, label) -> str:
    """The text of the row `label` on the Details tab."""
    html = response.content.decode()
    value = re.search(rf"<dt [^>]*>{label}</dt><dd [^>]*>(.*?)</dd>", html, re.S)
    assert value, f"no {label} row"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", value.group(1))).strip()


@pytest.mark.parametrize(
    ("language", "label", "shown"),
    [
        (
            "ja",
            "回答目標",
            "初回回答の目標: 営業時間内で 24 時間以内（平日 9:00〜17:30、日本時間） "
            "次回以降の回答の目標: 営業時間内で 24 時間以内 "
            "目標であり、回答時間を保証するものではありません。",
        ),
        (
            "en",
            "Response target",
            "Target for the first response: within 24 hours, counted in business hours "
            "(weekdays 9:00–17:30, Japan Time) "
            "Target for each next response: within 24 hours, counted in business hours "
            "A target, not a guaranteed response time.",
        ),
    ],
)
def test_it_shows_the_target_on_the_case_in_words_and_as_a_target(
    customer_client, customer, make_case, language, label, shown
):
    customer.language = language
    customer.save(update_fields=["language"])
    case = make_case(customer, service="premium-support", priority="normal")
    assert ResponseTarget.objects.get(service=case.service, priority=case.priority).minutes == 1440
    assert target_row(customer_client.get(detail(case)), label) == shown


def test_it_follows_an_operators_change_of_the_target(customer_client, customer, make_case):
    case = make_case(customer, service="premium-support", priority="critical")
    target = ResponseTarget.objects.get(service=case.service, priority=case.priority)
    target.minutes = 30
    target.save()  # as the admin saves it: the process's cached catalogue is forgotten
    shown = target_row(customer_client.get(detail(case)), "回答目標")
    assert shown.startswith("初回回答の目標: 営業時間内で 30 分以内")


def test_it_shows_operators_what_customers_read_beside_the_minutes(operator_client, operator):
    operator.language = "ja"
    operator.save(update_fields=["language"])
    html = operator_client.get("/admin/catalog/responsetarget/").content.decode()
    assert "お客さまへの表示" in html
    assert "初回回答の目標: 営業時間内で 24 時間以内" in html
    assert "初回回答の目標: 営業時間内で 2 日以内" in html
    assert "次回以降の回答の目標: 営業時間内で 24 時間以内" in html


DUE = dt.datetime(2030, 12, 2, 2, tzinfo=dt.UTC)  # Monday 11:00 in Tokyo


def running_clock(case, *, due=DUE, running=True):
    case.response_kind = "first"
    case.response_target_minutes = 1440
    case.response_running_since = timezone.now() if running else None
    case.response_due_at = due if running else None
    case.save(update_fields=Case.CLOCK_FIELDS)
    return case


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Tokyo", "目安: 2030年12月2日 11:00"),
        ("Europe/Bratislava", "目安: 2030年12月2日 3:00"),
    ],
)
def test_it_says_about_when_the_response_is_expected_in_the_readers_time_zone(
    customer_client, customer, make_case, zone, expected
):
    customer.time_zone = zone
    customer.save(update_fields=["time_zone"])
    case = running_clock(make_case(customer))
    shown = target_row(customer_client.get(detail(case)), "回答目標")
    assert expected in shown
    assert shown.endswith("目標であり、回答時間を保証するものではありません。")


@pytest.mark.parametrize(
    "clock",
    [
        {"running": False},  # waiting for the customer: paused
        {"due": dt.datetime(2020, 1, 6, 2, tzinfo=dt.UTC)},  # past: never shown as late
    ],
)
def test_it_says_nothing_of_when_while_paused_or_past(customer_client, customer, make_case, clock):
    case = running_clock(make_case(customer), **clock)
    assert "目安" not in target_row(customer_client.get(detail(case)), "回答目標")
