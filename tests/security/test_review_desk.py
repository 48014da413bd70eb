"""The operators' queue and the desk's report from the attacker's side (review of issue 16):
tampered bulk actions, bulk changes racing a customer's reply, and who may read the report."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from cases import admin_queue, admin_saved_views
from cases.models import Case, CaseStatus
from desk.models import SavedView
from tests.factories import with_authenticator

pytestmark = pytest.mark.django_db

QUEUE = "/admin/cases/case/"
REPORT = "/admin/desk/report/"
CSV = "/admin/desk/report/csv/"


def staff_with(make_user, email, *codenames):
    user = make_user(email=email, full_name="Sam Staff", is_staff=True)
    with_authenticator(user)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
    )
    return user


@pytest.mark.parametrize(
    "ids", [["abc"], ["1e3"], [""], ["9223372036854775808"], ["1", "99999999999999999999999"]]
)
def test_it_refuses_tampered_case_ids_in_a_bulk_action_without_failing(
    operator_client, customer, make_case, ids
):
    case = make_case(customer)
    for data in (
        {"action": "assign_to_me", "index": 0},
        {"action": "change_status", "select_across": "0", "apply": "1", "status": "resolved"},
    ):
        response = operator_client.post(QUEUE, {**data, "_selected_action": ids})
        assert response.status_code == 400
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (CaseStatus.NEW, None)


def test_it_passes_over_ids_of_cases_that_do_not_exist(operator_client, customer, make_case):
    case = make_case(customer)
    response = operator_client.post(
        QUEUE, {"action": "assign_to_me", "index": 0, "_selected_action": ["0", "-1", "424242"]}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assigned_to is None


def test_a_bulk_change_keeps_what_changed_on_a_case_while_the_batch_ran(
    operator_client, operator, customer, make_case, monkeypatch, mailoutbox
):
    """The customer answers the second case while the first is being assigned: assigning the
    second must not put its status back (nor tell the company it changed)."""
    first = make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER)
    second = make_case(customer, status=CaseStatus.WAITING_FOR_CUSTOMER)
    real = admin_queue.case_update

    def customer_replies_meanwhile(*, case, **kwargs):
        if case.pk == first.pk:
            Case.objects.filter(pk=second.pk).update(status=CaseStatus.WAITING_FOR_ESET)
        return real(case=case, **kwargs)

    monkeypatch.setattr(admin_queue, "case_update", customer_replies_meanwhile)
    response = operator_client.post(
        QUEUE, {"action": "assign_to_me", "index": 0, "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.status, second.assigned_to) == (CaseStatus.WAITING_FOR_ESET, operator)
    assert not [m for m in mailoutbox if second.number in m.subject + m.body]


def test_the_report_is_for_operators_who_may_change_cases_too(make_user, signed_in_client):
    """The admin lets whoever may change cases see them; the report does the same."""
    client = signed_in_client(staff_with(make_user, "changer@eset.example", "change_case"))
    assert client.get(QUEUE).status_code == 200
    assert client.get(REPORT).status_code == 200
    assert client.get(CSV).status_code == 200
    assert f'href="{REPORT}"' in client.get("/admin/").content.decode()


def test_a_view_only_operator_changes_no_case_in_bulk(
    make_user, signed_in_client, customer, make_case
):
    client = signed_in_client(staff_with(make_user, "viewer@eset.example", "view_case"))
    case = make_case(customer)
    client.post(QUEUE, {"action": "assign_to_me", "index": 0, "_selected_action": [case.pk]})
    client.post(
        QUEUE,
        {
            "action": "change_status",
            "_selected_action": [case.pk],
            "select_across": "1",
            "apply": "1",
            "status": "resolved",
        },
    )
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (CaseStatus.NEW, None)


def test_staff_without_case_rights_keep_no_saved_views(make_user, signed_in_client):
    client = signed_in_client(staff_with(make_user, "nobody@eset.example"))
    assert client.post(reverse("admin:cases_case_view_save"), {"name": "x"}).status_code == 403
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("view_id", ["9223372036854775808", "99999999999999999999999"])
def test_it_finds_no_saved_view_of_an_impossible_id(operator_client, view_id):
    for name in ("rename", "delete"):
        response = operator_client.post(f"{QUEUE}views/{view_id}/{name}/", {"name": "x"})
        assert response.status_code == 404


@pytest.mark.parametrize(
    "query", ["javascript:alert(1)", "//evil.example/", "http://evil.example", "\\\\evil.example"]
)
def test_saved_views_and_their_back_links_stay_on_the_queue(operator_client, operator, query):
    response = operator_client.post(
        reverse("admin:cases_case_view_save"), {"name": "v", "query": query}
    )
    assert response.url.startswith(f"{QUEUE}?")
    saved = SavedView.objects.get(owner=operator)
    page = operator_client.get(QUEUE).content.decode()
    assert f'href="?{saved.query}"' in page.replace("&amp;", "&")
    rename = reverse("admin:cases_case_view_rename", args=[saved.pk])
    assert operator_client.post(rename, {"name": "w", "back": query}).url.startswith(f"{QUEUE}?")


def test_names_and_subjects_are_text_everywhere(operator_client, operator, customer, make_case):
    script = "<script>alert(1)</script>"
    SavedView.objects.create(owner=operator, name=script, query="view=mine")
    case = make_case(customer, subject=script)
    for page in (
        operator_client.get(QUEUE),
        operator_client.post(
            QUEUE, {"action": "change_status", "index": 0, "_selected_action": [case.pk]}
        ),
    ):
        assert page.status_code == 200
        assert script not in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "start=0001-01-01",
        "start=9999-12-31&end=9999-12-31",
        "start=2024-02-30",
        "service=99999999999999999999999",
        "service=abc",
        "priority=-1",
        "start=",
        "start=2020-01-01&end=2024-01-01",
        "start=٢٠٢٤-٠١-٠١",
        "end=2024-13-01",
    ],
)
def test_the_report_refuses_odd_periods_and_filters_without_failing(operator_client, query):
    assert operator_client.get(f"{REPORT}?{query}").status_code == 200
    assert operator_client.get(f"{CSV}?{query}").status_code == 400


def test_a_name_saved_twice_at_once_is_refused_without_failing(
    operator_client, operator, monkeypatch
):
    """A double-click sends the form twice: both pass the form's check for the name before
    either is saved; the second meets the unique constraint."""
    SavedView.objects.create(owner=operator, name="Mine", query="view=mine")
    other = SavedView.objects.create(owner=operator, name="Other", query="")
    monkeypatch.setattr(
        admin_saved_views.SavedViewForm, "clean_name", lambda form: form.cleaned_data["name"]
    )
    saved = operator_client.post(
        reverse("admin:cases_case_view_save"), {"name": "Mine", "query": ""}
    )
    renamed = operator_client.post(
        reverse("admin:cases_case_view_rename", args=[other.pk]), {"name": "Mine"}
    )
    assert (saved.status_code, renamed.status_code) == (302, 302)
    assert sorted(SavedView.objects.values_list("name", flat=True)) == ["Mine", "Other"]
    assert "すでに" in " ".join(str(m) for m in get_messages(renamed.wsgi_request))
