"""Bulk actions on the operators' queue: assign to me, to an operator, change status — each case
through cases.services.case_update, as its own page changes it."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditEvent
from cases import admin_queue
from cases.models import Case, CaseStatus
from tests.factories import with_authenticator
from tests.helpers import force_sign_in

pytestmark = pytest.mark.django_db

QUEUE = "/admin/cases/case/"


def choose(client, action, cases, query=""):
    """Tick `cases` on the list and run `action` (the first step of an action)."""
    data = {"action": action, "_selected_action": [c.pk for c in cases], "index": 0}
    return client.post(f"{QUEUE}?{query}", data)


def confirm(client, action, cases, **choice):
    """The confirmation page's form, sent."""
    data = {
        "action": action,
        "_selected_action": [c.pk for c in cases],
        "select_across": "0",
        "apply": "Apply",
        **choice,
    }
    return client.post(QUEUE, data)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def colleague_operator(make_user):
    user = make_user(email="otto@eset.example", full_name="Otto Operator", is_staff=True)
    with_authenticator(user)
    codenames = ("view_case", "change_case")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_it_assigns_the_chosen_cases_to_me_with_audit(
    operator_client, operator, customer, make_case
):
    first, second, mine, other = (make_case(customer) for _ in range(4))
    Case.objects.filter(pk=mine.pk).update(assigned_to=operator)
    response = choose(operator_client, "assign_to_me", [first, second, mine])
    assert response.status_code == 302
    assert said(response) == [
        "2 件のケースをあなたに割り当てました。",
        "1 件のケースはすでにその状態のため、変更しませんでした。",
    ]
    assigned = dict(Case.objects.values_list("pk", "assigned_to"))
    assert assigned == {
        first.pk: operator.pk,
        second.pk: operator.pk,
        mine.pk: operator.pk,
        other.pk: None,
    }
    events = AuditEvent.objects.filter(action=Action.CASE_ASSIGNED)
    assert sorted(e.subject_id for e in events) == [first.pk, second.pk]
    assert {e.actor_id for e in events} == {operator.pk}


def test_it_asks_which_operator_then_assigns(
    operator_client, customer, make_case, colleague_operator, make_user
):
    cases = [make_case(customer, subject="暗号化の件"), make_case(customer)]
    page = choose(operator_client, "assign_to_operator", cases)
    assert page.status_code == 200
    html = page.content.decode()
    assert "暗号化の件" in html
    assert re.search(r'<label for="id_operator">', html)
    assert 'name="index"' not in html  # the second post is the confirmation, not a new choice

    retired = make_user(email="gone@eset.example", is_staff=True, is_active=False)
    for refused in (customer, retired):
        again = confirm(operator_client, "assign_to_operator", cases, operator=refused.pk)
        assert again.status_code == 200  # the page again, with the choice refused
        assert not Case.objects.filter(assigned_to__isnull=False).exists()
    assert f'value="{retired.pk}"' not in again.content.decode()

    done = confirm(operator_client, "assign_to_operator", cases, operator=colleague_operator.pk)
    assert done.status_code == 302
    assert said(done) == ["2 件のケースを Otto Operator に割り当てました。"]
    assert set(Case.objects.values_list("assigned_to", flat=True)) == {colleague_operator.pk}


def test_it_changes_status_as_the_case_page_does(
    operator_client, operator, customer, colleague, make_case, mailoutbox
):
    alone = make_case(customer, status=CaseStatus.WAITING_FOR_ESET, subject="件名")
    bulk = [make_case(customer, status=CaseStatus.WAITING_FOR_ESET, subject="件名") for _ in "ab"]
    operator_client.post(
        reverse("admin:cases_case_change", args=[alone.pk]),
        {"status": "resolved", "stage": "", "assigned_to": ""},
    )

    def sent(case):
        return sorted(
            (m.to[0], m.subject.replace(case.number, "N"))
            for m in mailoutbox
            if case.number in m.subject + m.body
        )

    def audited(case):
        return sorted(
            AuditEvent.objects.filter(subject_id=case.pk).values_list("action", "details")
        )

    assert sent(alone)  # the company heard of it
    choose(operator_client, "change_status", bulk)
    response = confirm(operator_client, "change_status", bulk, status="resolved")
    assert said(response) == ["2 件のケースの状態を「解決済み」に変更しました。"] or said(response)[
        0
    ].startswith("2 ")
    for case in bulk:
        case.refresh_from_db()
        assert case.status == CaseStatus.RESOLVED and case.closed_at is not None
        assert sent(case) == sent(alone)
        assert [a for a, _ in audited(case)] == [a for a, _ in audited(alone)]


def test_it_reports_refused_changes_and_does_the_rest(
    operator_client, operator, customer, make_case, monkeypatch
):
    kept, changed = make_case(customer), make_case(customer)
    real = admin_queue.case_update

    def refusing(*, case, **kwargs):
        if case.pk == kept.pk:
            raise ValidationError("このケースは変更できません。")
        return real(case=case, **kwargs)

    monkeypatch.setattr(admin_queue, "case_update", refusing)
    response = confirm(operator_client, "change_status", [kept, changed], status="waiting_customer")
    assert response.status_code == 302
    messages = said(response)
    assert any(kept.number in m and "このケースは変更できません。" in m for m in messages)
    assert dict(Case.objects.values_list("pk", "status")) == {
        kept.pk: CaseStatus.NEW,
        changed.pk: CaseStatus.WAITING_FOR_CUSTOMER,
    }


def test_it_refuses_a_status_that_does_not_exist(operator_client, customer, make_case):
    case = make_case(customer)
    response = confirm(operator_client, "change_status", [case], status="deleted")
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_it_offers_no_bulk_change_to_an_operator_who_may_only_look(make_user, customer, make_case):
    viewer = make_user(email="viewer@eset.example", is_staff=True)
    with_authenticator(viewer)
    viewer.user_permissions.add(Permission.objects.get(codename="view_case"))
    client = force_sign_in(Client(), viewer)
    case = make_case(customer)
    page = client.get(QUEUE)
    assert page.status_code == 200
    assert "assign_to_me" not in page.content.decode()
    for action in ("assign_to_me", "change_status"):
        choose(client, action, [case])
        confirm(client, action, [case], status="resolved")
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (CaseStatus.NEW, None)


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff without second factor"])
def test_it_keeps_bulk_actions_from_anyone_but_operators(who, customer, make_case, make_user):
    client = Client()
    if who == "customer":
        client = force_sign_in(client, customer)
    elif who == "staff without second factor":
        client.force_login(make_user(email="half@eset.example", is_staff=True, is_superuser=True))
    case = make_case(customer)
    first = choose(client, "assign_to_me", [case])
    second = confirm(client, "change_status", [case], status="resolved")
    assert {first.status_code, second.status_code} <= {302, 403}
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (CaseStatus.NEW, None)
    assert not AuditEvent.objects.filter(subject_id=case.pk, action=Action.CASE_ASSIGNED).exists()


def test_it_changes_no_case_when_more_are_selected_than_one_action_may_change(
    operator_client, customer, make_case, monkeypatch
):
    monkeypatch.setattr(admin_queue, "BULK_LIMIT", 2)
    cases = [make_case(customer) for _ in range(3)]
    response = confirm(operator_client, "change_status", cases, status="waiting_customer")
    assert response.status_code == 302
    assert any("2" in m for m in said(response))
    assert set(Case.objects.values_list("status", flat=True)) == {CaseStatus.NEW}
    response = confirm(operator_client, "change_status", cases[:2], status="waiting_customer")
    assert Case.objects.filter(status=CaseStatus.WAITING_FOR_CUSTOMER).count() == 2
