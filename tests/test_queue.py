"""The operators' queue (the admin case list): its order, its views and their counts, the N of
"waiting for the customer", relative times, and saved views."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import Case, CaseStatus
from desk import queue
from desk.models import SavedView, SupportCalendar
from desk.relative import ago_text, due_text
from tests.factories import with_authenticator
from tests.helpers import force_sign_in

pytestmark = pytest.mark.django_db

QUEUE = "/admin/cases/case/"
NOW = timezone.now


def listed(client, query="") -> list[int]:
    response = client.get(f"{QUEUE}?{query}")
    assert response.status_code == 200, response.status_code
    return [case.pk for case in response.context["cl"].result_list]


def counts(client, query="") -> dict[str, int]:
    views = client.get(f"{QUEUE}?{query}").context["queue_views"]
    return {view["key"]: view["count"] for view in views}


def set_fields(case, **fields):
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
    )
    return user


@pytest.fixture
def other_operator(make_user):
    """An operator who is not a superuser: may see and change cases."""
    user = make_user(email="otto@eset.example", full_name="Otto Operator", is_staff=True)
    with_authenticator(user)
    return grant(user, "view_case", "change_case")


# -- order ------------------------------------------------------------------------------------


def test_it_orders_awaiting_eset_first_then_by_due_with_no_due_last(
    operator_client, customer, make_case
):
    hour = dt.timedelta(hours=1)
    waiting_late = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    new_soon = make_case(customer, status=CaseStatus.NEW)
    new_undue = make_case(customer, status=CaseStatus.NEW)
    answered_due = make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER)
    answered = make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER)
    resolved = make_case(customer, status=CaseStatus.RESOLVED)
    waiting_undue = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    set_fields(waiting_late, response_due_at=NOW() + 3 * hour)
    set_fields(new_soon, response_due_at=NOW() - hour)
    set_fields(answered_due, response_due_at=NOW() - 9 * hour)
    assert listed(operator_client) == [
        new_soon.pk,
        waiting_late.pk,
        new_undue.pk,  # no due time: after those with one, then by id
        waiting_undue.pk,
        answered_due.pk,  # not awaiting ESET: after every case that is
        answered.pk,
        resolved.pk,
    ]


@pytest.mark.parametrize("query", ["", "view=open", "view=overdue", "view=today"])
def test_it_reads_each_view_in_order_from_the_queue_index(
    operator_client, customer, make_case, query
):
    make_case(customer)
    cl = operator_client.get(f"{QUEUE}?{query}").context["cl"]
    page = cl.queryset[: cl.list_per_page]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the plan a large table gets
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = page.explain()
    assert "cases_case_queue_due" in plan
    assert "TEMP B-TREE" not in plan
    assert "Sort" not in plan.replace("Sort Key", "")


# -- views and counts -------------------------------------------------------------------------


@pytest.fixture
def desk_day(operator, other_operator, customer, make_case):
    """One case for each view, and some for none. "Now" is early in the desk's day, so that
    due-today cases exist whatever the hour the suite runs."""
    tz = queue.support_time_zone()
    midnight = queue.end_of_today(NOW(), tz)
    left = midnight - NOW()
    cases = {
        "mine": make_case(customer, assigned_to=operator),
        "theirs": make_case(customer, assigned_to=other_operator),
        "overdue": make_case(customer, assigned_to=other_operator),
        "today": make_case(customer, assigned_to=other_operator),
        "tomorrow": make_case(customer, assigned_to=other_operator),
        "long_wait": make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER),
        "short_wait": make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER),
        "resolved": make_case(customer, status=CaseStatus.RESOLVED, assigned_to=operator),
    }
    set_fields(cases["overdue"], response_due_at=NOW() - dt.timedelta(minutes=5))
    set_fields(cases["today"], response_due_at=NOW() + left / 2)
    set_fields(cases["tomorrow"], response_due_at=midnight + dt.timedelta(minutes=1))
    set_fields(cases["long_wait"], status_changed_at=NOW() - dt.timedelta(days=10))
    set_fields(cases["short_wait"], status_changed_at=NOW() - dt.timedelta(days=3))
    return {name: case.pk for name, case in cases.items()}


def test_it_shows_each_view_with_its_count(operator_client, desk_day):
    expected = {
        "open": set(desk_day) - {"resolved"},
        "mine": {"mine"},
        "unassigned": {"long_wait", "short_wait"},
        "overdue": {"overdue"},
        "today": {"today"},
        "waiting": {"long_wait"},
    }
    shown = counts(operator_client)
    assert shown == {view: len(names) for view, names in expected.items()}
    for view, names in expected.items():
        assert set(listed(operator_client, f"view={view}")) == {desk_day[n] for n in names}
    assert set(listed(operator_client)) == set(desk_day.values())  # no view: every case


def test_it_takes_n_days_from_the_query(operator_client, desk_day):
    assert set(listed(operator_client, "view=waiting&days=2")) == {
        desk_day["long_wait"],
        desk_day["short_wait"],
    }
    assert counts(operator_client, "view=waiting&days=2")["waiting"] == 2
    page = operator_client.get(f"{QUEUE}?view=waiting&days=2").content.decode()
    assert "over 2 days" in page or "2 日" in page


@pytest.mark.parametrize(
    ("text", "days"),
    [
        (None, 7),
        ("", 7),
        ("30", 30),
        (" 30 ", 30),
        ("0", 1),
        ("1", 1),
        ("365", 365),
        ("366", 365),
        ("99999999999999999999", 7),
        ("-3", 7),
        ("3.5", 7),
        ("abc", 7),
        ("٣", 7),  # a digit, but not one we count in
        ("\x00", 7),
    ],
)
def test_it_reads_n_days_within_bounds(text, days):
    assert queue.days_from(text) == days


@pytest.mark.parametrize(
    "query",
    [
        "view=nope",
        "view=waiting&days=abc",
        "view=waiting&days=99999999999999999999",
        "view=waiting&days=-1",
        "view=mine&view=overdue&days=1&days=x",
        "days=5",
        "view=%FF%FE",
        "view=today&q=" + "ケ" * 600,
    ],
)
def test_it_never_fails_on_a_bad_query(operator_client, desk_day, query):
    response = operator_client.get(f"{QUEUE}?{query}")
    assert response.status_code == 200


def test_it_marks_the_current_view(operator_client, desk_day):
    page = operator_client.get(f"{QUEUE}?view=overdue").content.decode()
    assert page.count('aria-current="page"') == 1
    assert 'data-testid="view-overdue" aria-current="page"' in page


def test_it_counts_every_view_in_one_query(operator_client, desk_day):
    with CaptureQueriesContext(connection) as captured:
        operator_client.get(QUEUE)
    view_counts = [q["sql"] for q in captured.captured_queries if q["sql"].count("COUNT(") >= 6]
    assert len(view_counts) == 1


def test_it_ends_today_at_midnight_in_the_support_calendars_time_zone(operator_client):
    SupportCalendar.objects.update_or_create(pk=1, defaults={"time_zone": "America/New_York"})
    assert queue.support_time_zone() == zoneinfo.ZoneInfo("America/New_York")
    now = dt.datetime(2026, 3, 7, 23, 30, tzinfo=dt.UTC)  # 18:30 in New York
    assert queue.end_of_today(now, queue.support_time_zone()) == dt.datetime(
        2026, 3, 8, 5, 0, tzinfo=dt.UTC
    )
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")  # already the 8th there
    assert queue.end_of_today(now, tokyo) == dt.datetime(2026, 3, 8, 15, 0, tzinfo=dt.UTC)


# -- relative times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "ja", "en"),
    [
        (dt.timedelta(hours=2, minutes=40), "あと 2 時間", "in 2 h"),
        (dt.timedelta(minutes=35), "あと 35 分", "in 35 min"),
        (dt.timedelta(seconds=20), "あと 1 分", "in 1 min"),
        (dt.timedelta(days=3, hours=5), "あと 3 日", "in 3 d"),
        (-dt.timedelta(hours=2, minutes=5), "2 時間超過", "2 h overdue"),
        (-dt.timedelta(hours=47), "47 時間超過", "47 h overdue"),
        (-dt.timedelta(days=4), "4 日超過", "4 d overdue"),
    ],
)
def test_it_says_when_a_response_is_due_in_words(offset, ja, en):
    now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    with translation.override("ja"):
        assert due_text(now + offset, now) == ja
    with translation.override("en"):
        assert due_text(now + offset, now) == en


def test_it_says_how_long_ago_the_customer_was_active():
    now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    with translation.override("ja"):
        assert ago_text(now - dt.timedelta(hours=5), now) == "5 時間前"
    with translation.override("en"):
        assert ago_text(now - dt.timedelta(days=9), now) == "9 d ago"


def test_it_marks_an_overdue_case_in_words_with_an_icon_and_the_exact_time(
    operator_client, operator, customer, make_case
):
    operator.time_zone = "Europe/London"
    operator.language = "en"
    operator.save()
    due = dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC)
    case = set_fields(make_case(customer), response_due_at=due)
    set_fields(case, last_customer_activity_at=NOW() - dt.timedelta(hours=3))
    page = operator_client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="overdue"' in page
    assert "icon-alert.svg" in page
    assert 'title="2026-01-05 03:00 +0000"' in page  # the operator's zone, not Tokyo's 12:00
    assert " d overdue" in page
    assert "3 h ago" in page


def test_it_says_a_clock_waiting_for_the_customer_is_paused(
    operator_client, operator, customer, make_case
):
    operator.language = "en"
    operator.save()
    paused = set_fields(
        make_case(customer),
        status="waiting_customer",
        response_kind="first",
        response_target_minutes=480,
        response_used_minutes=30,
    )
    page = operator_client.get(f"{QUEUE}?q={paused.number}", HTTP_ACCEPT_LANGUAGE="en")
    assert '<span class="hub-due hub-due-paused">paused</span>' in page.content.decode()


# -- saved views ------------------------------------------------------------------------------


def test_it_saves_renames_and_deletes_an_operators_own_view(operator_client, operator, desk_day):
    response = operator_client.post(
        reverse("admin:cases_case_view_save"),
        {"name": "  My overdue ", "query": "view=overdue&p=3&status=new"},
    )
    saved = SavedView.objects.get(owner=operator)
    assert (saved.name, saved.query) == ("My overdue", "view=overdue&status=new")
    assert response.url == f"{QUEUE}?view=overdue&status=new"
    page = operator_client.get(f"{QUEUE}?view=overdue&status=new").content.decode()
    assert 'href="?view=overdue&amp;status=new" aria-current="page">My overdue</a>' in page

    again = operator_client.post(
        reverse("admin:cases_case_view_save"), {"name": "My overdue", "query": "view=mine"}
    )
    assert again.status_code == 302 and SavedView.objects.count() == 1

    operator_client.post(reverse("admin:cases_case_view_rename", args=[saved.pk]), {"name": "Late"})
    saved.refresh_from_db()
    assert saved.name == "Late"
    operator_client.post(reverse("admin:cases_case_view_delete", args=[saved.pk]))
    assert not SavedView.objects.exists()


def test_it_keeps_saved_views_from_other_operators(
    operator_client, operator, other_operator, signed_in_client
):
    theirs = SavedView.objects.create(owner=other_operator, name="Otto's", query="view=mine")
    page = operator_client.get(QUEUE).content.decode()
    assert "Otto&#x27;s" not in page and "Otto's" not in page
    rename = reverse("admin:cases_case_view_rename", args=[theirs.pk])
    delete = reverse("admin:cases_case_view_delete", args=[theirs.pk])
    assert operator_client.post(rename, {"name": "mine now"}).status_code == 404
    assert operator_client.post(delete).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Otto's"
    assert "Otto&#x27;s" in signed_in_client(other_operator).get(QUEUE).content.decode()


def test_it_refuses_saved_view_posts_without_the_csrf_token(operator, other_operator):
    client = force_sign_in(Client(enforce_csrf_checks=True), operator)
    mine = SavedView.objects.create(owner=operator, name="Mine", query="view=mine")
    save = client.post(reverse("admin:cases_case_view_save"), {"name": "x", "query": ""})
    delete = client.post(reverse("admin:cases_case_view_delete", args=[mine.pk]))
    assert (save.status_code, delete.status_code) == (403, 403)
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Mine"]
    assert client.get(reverse("admin:cases_case_view_save")).status_code == 405


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff without second factor"])
def test_it_keeps_saved_views_from_anyone_but_signed_in_operators(who, customer, make_user):
    client = Client()
    if who == "customer":
        client = force_sign_in(client, customer)
    elif who == "staff without second factor":
        client.force_login(make_user(email="half@eset.example", is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:cases_case_view_save"), {"name": "x", "query": ""})
    assert response.status_code in (302, 403)
    assert not SavedView.objects.exists()
    assert client.get(QUEUE).status_code in (302, 403)


def test_it_refuses_a_saved_view_too_long_to_keep(operator_client):
    response = operator_client.post(
        reverse("admin:cases_case_view_save"), {"name": "long", "query": "q=" + "x" * 600}
    )
    assert response.status_code == 302
    assert not SavedView.objects.exists()


def test_it_calls_the_case_list_the_queue(operator_client):
    response = operator_client.get(QUEUE)  # the operator reads Japanese
    assert "<h1>対応キュー</h1>" in response.content.decode()
