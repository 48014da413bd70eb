"""The support calendar and its holidays: operators edit them in the admin (customers and
anonymous visitors never reach them), `load_holidays` keeps operators' choices, and the
clocks read them through desk.calendars.support_calendar (two queries, none when kept)."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from desk.calendars import support_calendar
from desk.models import Holiday, SupportCalendar
from desk.services import default_holiday_years, holidays_load
from tests.factories import with_authenticator

pytestmark = pytest.mark.django_db
CALENDAR_LIST = reverse("admin:desk_supportcalendar_changelist")
HOLIDAYS = reverse("admin:desk_holiday_changelist")
NEW_YEAR_2027 = dt.date(2027, 1, 1)


def calendar_page():
    return reverse("admin:desk_supportcalendar_change", args=[SupportCalendar.objects.get().pk])


def calendar_form(**changes) -> dict:
    data = {
        "time_zone": "Asia/Tokyo",
        "opens_at": "09:00",
        "closes_at": "17:30",
        "monday": "on",
        "tuesday": "on",
        "wednesday": "on",
        "thursday": "on",
        "friday": "on",
        "holiday_country": "JP",
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


# Access ------------------------------------------------------------------------------------


def test_it_keeps_customers_and_anonymous_visitors_out(client, customer_client):
    SupportCalendar.objects.get_or_create(pk=1)
    urls = [CALENDAR_LIST, calendar_page(), HOLIDAYS, reverse("admin:desk_holiday_add")]
    for url in urls:
        for visitor in (client, customer_client):
            response = visitor.get(url)
            assert response.status_code == 302 and url not in response.url.split("?")[0]
    response = customer_client.post(calendar_page(), calendar_form(time_zone="UTC"))
    assert response.status_code == 302
    assert SupportCalendar.objects.get().time_zone == "Asia/Tokyo"


def test_it_keeps_out_staff_without_the_second_factor_or_the_permission(
    client, signed_in_client, operator, make_user
):
    client.force_login(operator)  # never passed the second factor
    assert client.get(HOLIDAYS).status_code == 302
    staff = make_user(email="staff@eset.example", full_name="Sam Staff", is_staff=True)
    with_authenticator(staff)
    assert signed_in_client(staff).get(HOLIDAYS).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_holiday"))
    assert signed_in_client(staff).get(HOLIDAYS).status_code == 200


# The calendar ------------------------------------------------------------------------------


def test_its_list_is_its_one_page_and_it_is_never_added_or_deleted(operator_client):
    response = operator_client.get(CALENDAR_LIST)
    assert response.status_code == 302 and response.url == calendar_page()
    assert SupportCalendar.objects.count() == 1
    assert operator_client.get(reverse("admin:desk_supportcalendar_add")).status_code == 403
    delete = reverse("admin:desk_supportcalendar_delete", args=[1])
    assert operator_client.post(delete, {"post": "yes"}).status_code == 403
    assert SupportCalendar.objects.count() == 1


def test_an_operator_changes_the_hours_and_the_clocks_read_them_at_once(operator_client):
    assert support_calendar().opens == dt.time(9)  # kept by this process
    response = operator_client.post(
        calendar_page(),
        calendar_form(opens_at="08:30", saturday="on", time_zone="Europe/Bratislava"),
    )
    assert response.status_code == 302
    calendar = support_calendar()
    assert (calendar.opens, calendar.tz.key) == (dt.time(8, 30), "Europe/Bratislava")
    assert calendar.weekdays == frozenset({0, 1, 2, 3, 4, 5})


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"opens_at": "18:00"}, "開始時刻は終了時刻より前にしてください。"),
        (
            {day: None for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
            "営業日を 1 日以上選んでください。",
        ),
        ({"holiday_country": "XX"}, "この国コードの祝日は見つかりません。"),
        ({"time_zone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"opens_at": "25:00"}, "opens_at"),
    ],
)
def test_it_refuses_a_calendar_that_could_not_work(operator_client, changes, error):
    response = operator_client.post(calendar_page(), calendar_form(**changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert error in errors or error in response.content.decode()
    assert SupportCalendar.objects.get().opens_at == dt.time(9)


def test_it_reads_the_calendar_in_two_queries_and_none_when_kept(django_assert_num_queries):
    with django_assert_num_queries(2):
        calendar = support_calendar()
    assert NEW_YEAR_2027 in calendar.closed_dates
    with django_assert_num_queries(0):
        support_calendar()
    # A change forgets it (in this transaction: read anew until it ends, catalog/cache.py).
    Holiday.objects.create(date=dt.date(2026, 12, 28), name="年末休業")
    assert dt.date(2026, 12, 28) in support_calendar().closed_dates


# Holidays ----------------------------------------------------------------------------------


def test_the_suite_and_make_run_have_this_years_holidays():
    # load_catalogue loads them with the catalogue.
    loaded = {day.year for day in Holiday.objects.dates("date", "year")}
    assert set(default_holiday_years()) <= loaded
    assert Holiday.objects.filter(date=NEW_YEAR_2027, is_national=True).exists()


def test_loading_twice_changes_nothing_and_keeps_operators_choices():
    Holiday.objects.all().delete()
    first = holidays_load(years=[2027])
    assert first.added == len(Holiday.objects.all()) > 10
    new_year = Holiday.objects.get(date=NEW_YEAR_2027)
    assert (new_year.name, new_year.is_national, new_year.is_closed) == ("元日", True, True)

    # An operator keeps the desk open on a national holiday and closes a day of their own.
    Holiday.objects.filter(date=dt.date(2027, 5, 3)).update(is_closed=False)
    Holiday.objects.create(date=dt.date(2027, 12, 29), name="年末休業")
    # A name the library changed since, and a holiday it no longer lists.
    Holiday.objects.filter(date=NEW_YEAR_2027).update(name="古い名前")
    Holiday.objects.create(date=dt.date(2027, 6, 1), name="廃止", is_national=True)

    again = holidays_load(years=[2027])
    assert (again.added, again.renamed, again.removed) == (0, 1, 1)
    assert Holiday.objects.get(date=NEW_YEAR_2027).name == "元日"
    assert not Holiday.objects.get(date=dt.date(2027, 5, 3)).is_closed
    assert Holiday.objects.get(date=dt.date(2027, 12, 29)).name == "年末休業"
    assert not Holiday.objects.filter(date=dt.date(2027, 6, 1)).exists()
    assert holidays_load(years=[2027])[2:] == (0, 0, 0)
    calendar = support_calendar()
    assert dt.date(2027, 12, 29) in calendar.closed_dates
    assert dt.date(2027, 5, 3) not in calendar.closed_dates
    assert dt.date(2027, 5, 3) in calendar.open_dates


def test_the_command_loads_the_default_years_and_refuses_nonsense():
    Holiday.objects.all().delete()
    out = io.StringIO()
    call_command("load_holidays", stdout=out)
    years = default_holiday_years()
    assert f"JP {years[0]}–{years[-1]}" in out.getvalue()
    assert {day.year for day in Holiday.objects.dates("date", "year")} == set(years)
    with pytest.raises(CommandError):
        call_command("load_holidays", "99999", stdout=out)
    SupportCalendar.objects.update(holiday_country="XX")
    with pytest.raises(CommandError):
        call_command("load_holidays", stdout=out)


def test_operators_add_their_own_closed_days_and_open_a_national_holiday(operator_client):
    response = operator_client.post(
        reverse("admin:desk_holiday_add"),
        {"date": "2027-12-30", "name": "年末休業", "is_closed": "on"},
    )
    assert response.status_code == 302
    own = Holiday.objects.get(date=dt.date(2027, 12, 30))
    assert (own.is_national, own.is_closed) == (False, True)

    national = Holiday.objects.get(date=NEW_YEAR_2027)
    page = reverse("admin:desk_holiday_change", args=[national.pk])
    # The library's date and name are not the operator's to change; the closing is.
    operator_client.post(page, {"date": "2027-01-02", "name": "改名"})
    national.refresh_from_db()
    assert (national.date, national.name, national.is_closed) == (NEW_YEAR_2027, "元日", False)


def test_the_holiday_list_filters_by_year_and_reloads(operator_client):
    page = operator_client.get(HOLIDAYS, {"year": "2027"}).content.decode()
    assert "元日" in page and "2026" in page  # the year filter lists every year
    assert operator_client.get(HOLIDAYS, {"year": "nonsense"}).status_code == 200
    Holiday.objects.filter(date=NEW_YEAR_2027).delete()
    response = operator_client.post(
        HOLIDAYS,
        {
            "action": "reload_national_holidays",
            "_selected_action": [Holiday.objects.filter(date__year=2027).first().pk],
        },
    )
    assert response.status_code == 302
    assert Holiday.objects.filter(date=NEW_YEAR_2027, is_national=True).exists()


def test_it_moves_running_clocks_only_when_the_calendar_changes(
    customer, make_case, django_capture_on_commit_callbacks
):
    """Shorter hours move a running clock's due time later; a paused or stopped clock has no
    due time to move."""
    from django.utils import timezone

    from cases.models import Case, CaseStatus
    from desk.calendars import support_calendar
    from desk.models import SupportCalendar

    running = make_case(customer, status=CaseStatus.WAITING_FOR_ESET)
    running.clock_filed(first_target=480, calendar=support_calendar(), now=timezone.now())
    running.save(update_fields=Case.CLOCK_FIELDS)
    paused = make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER)
    before = running.response_due_at
    calendar, _ = SupportCalendar.objects.get_or_create(pk=1)
    calendar.closes_at = calendar.opens_at.replace(hour=calendar.opens_at.hour + 2)
    with django_capture_on_commit_callbacks(execute=True):
        calendar.save()
    running.refresh_from_db()
    paused.refresh_from_db()
    assert running.response_due_at > before
    assert paused.response_due_at is None
