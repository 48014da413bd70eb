"""How the desk is doing: the numbers on a small hand-made data set, the page and its CSV in
both languages, periods refused without a failure, who may see it, and a query count that
stays put from one week to two years of ten thousand cases."""

import csv
import datetime as dt
import io
import re
import statistics
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from catalog.models import Priority, Service
from desk.models import ResponseKind
from desk.report import default_period, desk_report, percentile
from tests.factories import with_authenticator
from tests.report_data import TOKYO, answered, many_cases, opened, tokyo

pytestmark = pytest.mark.django_db

REPORT = "/admin/desk/report/"
CSV = "/admin/desk/report/csv/"


def report(start, end, **filters):
    return desk_report(
        start=start,
        end=end,
        services=list(Service.objects.all()),
        priorities=list(Priority.objects.all()),
        tz=TOKYO,
        **filters,
    )


def text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.fixture
def small_desk(customer):
    """Five first responses (10, 20, 30, 40, 100 minutes against 60) and two next responses
    (one late), around the Monday that starts the week of 2 November 2026 in Tokyo."""
    sunday_night = opened(customer, tokyo(2026, 11, 1, 23, 59))  # 14:59 UTC, Sunday
    monday = opened(customer, tokyo(2026, 11, 2, 0, 0), resolved_at=tokyo(2026, 11, 2, 9))
    serious = opened(customer, tokyo(2026, 11, 3, 10), priority="serious")
    for minutes, case in zip((10, 20, 30, 40), (sunday_night, monday, monday, monday), strict=True):
        answered(case, tokyo(2026, 11, 4, 10), taken=minutes)
    answered(serious, tokyo(2026, 11, 4, 11), taken=100)
    answered(monday, tokyo(2026, 11, 5, 10), taken=30, kind=ResponseKind.NEXT)
    answered(monday, tokyo(2026, 11, 6, 10), taken=90, kind=ResponseKind.NEXT)
    return {"sunday_night": sunday_night, "monday": monday, "serious": serious}


def test_it_computes_percentiles_as_percentile_cont_does():
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([10, 20, 30, 40, 100], 0.5) == 30
    assert percentile([10, 20, 30, 40, 100], 0.9) == pytest.approx(76)
    assert percentile([40, 10, 30, 20], 0.5) == 25
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    assert percentile(values, 0.9) == pytest.approx(deciles[-1])


def test_it_takes_the_last_twelve_full_weeks_by_default():
    start, end = default_period(dt.date(2026, 11, 30))  # a Monday
    assert (start, end) == (dt.date(2026, 9, 7), dt.date(2026, 11, 29))
    assert start.weekday() == 0 and end.weekday() == 6
    assert default_period(dt.date(2026, 12, 6)) == (start, end)  # the Sunday after


def test_it_counts_the_weeks_in_tokyo_with_medians_and_shares(small_desk):
    result = report(dt.date(2026, 10, 26), dt.date(2026, 11, 8))

    first, second = result.weeks
    assert (first.monday, first.opened, first.resolved) == (dt.date(2026, 10, 26), 1, 0)
    assert (second.monday, second.opened, second.resolved) == (dt.date(2026, 11, 2), 2, 1)
    r = result.overall.responses
    assert (r.first_count, r.first_median, r.first_p90) == (5, 30, pytest.approx(76))
    assert r.first_share_met == pytest.approx(0.8)
    assert (r.next_count, r.next_share_met) == (2, 0.5)
    assert second.responses.first_count == 5 and first.responses.first_count == 0


def test_it_gives_a_line_per_service_and_priority_with_its_target(small_desk):
    result = report(dt.date(2026, 10, 26), dt.date(2026, 11, 8))

    lines = {(g.service.code, g.priority.code): g for g in result.groups}
    assert list(lines) == [("premium-support", "normal"), ("premium-support", "serious")]
    normal, serious = lines.values()
    assert (normal.opened, normal.resolved, normal.target_minutes) == (2, 1, 1440)
    assert normal.responses.first_taken == [10, 20, 30, 40]
    assert normal.responses.first_median == 25
    assert normal.responses.first_share_met == 1
    assert (serious.opened, serious.target_minutes) == (1, 480)
    assert serious.responses.first_share_met == 0


def test_it_narrows_to_a_service_and_a_priority(small_desk):
    serious = Priority.objects.get(code="serious")
    result = report(dt.date(2026, 10, 26), dt.date(2026, 11, 8), priority_id=serious.pk)
    assert (result.overall.opened, result.overall.responses.first_count) == (1, 1)
    other = Service.objects.get(code="mdr")
    assert report(dt.date(2026, 10, 26), dt.date(2026, 11, 8), service_id=other.pk).is_empty


def test_it_leaves_out_what_falls_outside_the_period(small_desk):
    # The period starts on the Monday in Tokyo: the case opened a minute before is not in it.
    result = report(dt.date(2026, 11, 2), dt.date(2026, 11, 4))
    assert [w.monday for w in result.weeks] == [dt.date(2026, 11, 2)]
    assert result.overall.opened == 2
    assert result.overall.responses.next_count == 0  # answered on 5 and 6 November


def test_it_starts_the_weeks_on_local_mondays_across_a_clock_change(customer):
    # New York's clocks went back on Sunday 1 November 2026: the week still starts at local
    # midnight on Monday 2 November (05:00 UTC, not 04:00), on SQLite as on PostgreSQL.
    new_york = zoneinfo.ZoneInfo("America/New_York")
    opened(customer, dt.datetime(2026, 11, 2, 4, 30, tzinfo=dt.UTC))  # Sunday 23:30 there
    opened(customer, dt.datetime(2026, 11, 2, 5, 30, tzinfo=dt.UTC))  # Monday 00:30 there
    result = desk_report(
        start=dt.date(2026, 10, 26),
        end=dt.date(2026, 11, 8),
        services=[],
        priorities=[],
        tz=new_york,
    )
    assert [(w.monday, w.opened) for w in result.weeks] == [
        (dt.date(2026, 10, 26), 1),
        (dt.date(2026, 11, 2), 1),
    ]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "ja",
            ["対応状況レポート", "初回回答の中央値", "25 分", "76 分", "80.0%", "50.0%", "24 時間"],
        ),
        (
            "en",
            ["How the desk is doing", "First response, median", "25 minutes", "80.0%", "24 hours"],
        ),
    ],
)
def test_it_shows_charts_and_the_same_numbers_in_tables(
    operator, operator_client, small_desk, language, words
):
    operator.language = language
    operator.save()
    response = operator_client.get(REPORT, {"start": "2026-10-26", "end": "2026-11-08"})

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('role="img"') == 2
    assert page.count("<title id=") == 2 and page.count("<desc id=") == 2
    assert " style=" not in page.split('id="content-main"')[1]  # the CSP refuses them
    shown = text(page)
    for word in words:
        assert word in shown, word


def test_it_links_the_report_from_the_admin_index(operator_client):
    index = operator_client.get("/admin/").content.decode()
    assert f'href="{REPORT}"' in index
    assert reverse("admin:desk_report") == REPORT


def test_it_downloads_the_numbers_as_a_csv_for_excel(operator, operator_client, small_desk):
    operator.language = "ja"
    operator.save()
    Service.objects.filter(code="premium-support").update(name_ja="=HYPERLINK(1)")

    response = operator_client.get(CSV, {"start": "2026-10-26", "end": "2026-11-08"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="desk-report-20261026-20261108.csv"'
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][:4] == ["期間または週の開始日", "サービス", "優先度", "受付ケース数"]
    normal, serious, everything, week1, week2 = rows[1:]
    assert normal[1] == "'=HYPERLINK(1)"  # text to Excel, never a formula
    assert (normal[2], serious[2]) == ("一般", "深刻")
    assert normal[3:] == ["2", "1", "4", "25.0", "37.0", "1440", "100.0", "2", "50.0"]
    assert everything[:3] == ["2026-10-26/2026-11-08", "すべて", "すべて"]
    assert everything[3:] == ["3", "1", "5", "30.0", "76.0", "", "80.0", "2", "50.0"]
    assert week1[:4] == ["2026-10-26", "すべて", "すべて", "1"]
    assert week2[:4] == ["2026-11-02", "すべて", "すべて", "2"]


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"start": "2026-11-08", "end": "2026-10-26"}, "The end of the period comes before"),
        ({"start": "2024-01-01", "end": "2026-01-02"}, "at most 732 days"),
        ({"start": "soon", "end": "2026-01-02"}, "Enter a valid date."),
        ({"start": "", "end": "2026-01-02"}, "This field is required."),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "Enter a date between"),
        ({"start": "9999-12-30", "end": "9999-12-31"}, "Enter a date between"),
        ({"service": "9223372036854775808"}, "Select a valid choice."),
        ({"priority": "abc"}, "Select a valid choice."),
    ],
)
def test_it_explains_a_period_it_cannot_report_on(operator, operator_client, query, error):
    operator.language = "en"
    operator.save()
    page = operator_client.get(REPORT, query)
    assert page.status_code == 200
    assert error in text(page.content.decode())
    assert 'role="img"' not in page.content.decode()
    assert operator_client.get(CSV, query).status_code == 400


def test_it_explains_a_bad_period_in_japanese(operator_client):
    page = operator_client.get(REPORT, {"start": "2026-11-08", "end": "2026-10-26"})
    assert "期間の終了日が開始日より前です。" in text(page.content.decode())


def test_it_keeps_customers_and_half_signed_in_operators_out(
    client, customer_client, operator, make_user
):
    for url in (REPORT, CSV):
        assert client.get(url).status_code == 302
        assert customer_client.get(url).status_code == 302
    client.force_login(operator)  # never passed the second factor
    response = client.get(REPORT)
    assert response.status_code == 302 and REPORT not in response.url.split("?")[0]


def test_it_is_for_operators_who_may_view_cases(signed_in_client, make_user):
    staff = make_user(email="staff@eset.example", full_name="Sam Staff", is_staff=True)
    with_authenticator(staff)
    client = signed_in_client(staff)
    assert client.get(REPORT).status_code == 403
    assert client.get(CSV).status_code == 403
    assert REPORT not in client.get("/admin/").content.decode()

    staff.user_permissions.add(Permission.objects.get(codename="view_case"))
    assert client.get(REPORT).status_code == 200
    assert f'href="{REPORT}"' in client.get("/admin/").content.decode()
    assert client.post(REPORT).status_code == 405


def test_it_reads_the_same_number_of_queries_for_a_week_and_for_two_years(
    customer, operator_client, django_assert_num_queries, settings
):
    # The calendar stays kept through the test (the two-year report takes seconds to fill).
    settings.CATALOGUE_CACHE_SECONDS = 3600
    many_cases(customer, 10_000, since=tokyo(2024, 12, 2), days=728)
    week = {"start": "2025-06-02", "end": "2025-06-08"}
    two_years = {"start": "2024-12-02", "end": "2026-11-29"}
    operator_client.get(REPORT, week)  # the session and the calendar, as on any later visit

    with django_assert_num_queries(QUERIES):
        small = operator_client.get(REPORT, week)
    with django_assert_num_queries(QUERIES):
        large = operator_client.get(REPORT, two_years)
    with django_assert_num_queries(QUERIES):
        download = operator_client.get(CSV, two_years)

    assert small.context["report"].overall.opened < 200
    assert large.context["report"].overall.opened == 10_000
    assert large.context["report"].overall.responses.first_count == 10_000
    assert "10,000" in text(large.content.decode())  # grouped as the locale writes it
    assert len(list(csv.reader(io.StringIO(download.content.decode())))) > 100


# The session and its user, the second factor's device, services, priorities, the cases
# opened, the cases resolved, the responses, the targets (the calendar is kept: two more
# queries once every CATALOGUE_CACHE_SECONDS).
QUERIES = 9
