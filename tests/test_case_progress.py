"""The status and stage bars of a case page (cases.progress): five statuses on four steps, the
end reading Resolved or Invalid, and no step shown as done that the case never reached."""

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from cases.models import CLOSED_STATUSES, Case, CaseStatus
from cases.progress import CURRENT, DONE, TODO, stage_steps, status_steps
from cases.services import case_update, message_post
from catalog.models import Stage
from tests.helpers import detail

NEW, ESET, YOU = CaseStatus.NEW, CaseStatus.WAITING_FOR_ESET, CaseStatus.WAITING_FOR_CUSTOMER
RESOLVED, INVALID = CaseStatus.RESOLVED, CaseStatus.INVALID


def bar(reached, current):
    return [(step.key, step.state) for step in status_steps(reached, current)]


def test_it_ends_an_invalid_case_on_invalid_beside_resolved_not_after_it():
    assert bar([NEW, ESET, YOU, INVALID], INVALID) == [
        ("new", DONE),
        ("waiting_eset", DONE),
        ("waiting_customer", DONE),
        ("invalid", CURRENT),
    ]
    assert bar([NEW, ESET], ESET)[-1] == ("resolved", TODO), "an open case heads for Resolved"


def test_it_shows_no_step_as_done_that_the_case_skipped():
    assert bar([NEW, RESOLVED], RESOLVED) == [
        ("new", DONE),
        ("waiting_eset", TODO),
        ("waiting_customer", TODO),
        ("resolved", CURRENT),
    ]
    # An operator answered first: nothing ever waited for ESET.
    assert bar([NEW, YOU], YOU) == [
        ("new", DONE),
        ("waiting_eset", TODO),
        ("waiting_customer", CURRENT),
        ("resolved", TODO),
    ]


def test_it_shows_a_reopened_case_heading_for_its_end_again():
    assert bar([NEW, ESET, YOU, RESOLVED], ESET) == [
        ("new", DONE),
        ("waiting_eset", CURRENT),
        ("waiting_customer", TODO),
        ("resolved", TODO),
    ]


def test_it_labels_the_steps_in_the_readers_language():
    with translation.override("ja"):
        assert [str(step.label) for step in status_steps([NEW, INVALID], INVALID)] == [
            str(NEW.label),
            str(ESET.label),
            str(YOU.label),
            "無効",
        ]
    with translation.override("en"):
        assert str(status_steps([NEW], NEW)[-1].label) == "Resolved"


# Statuses an operator or a customer post may move a case to, in any order: move_to keeps
# statuses_reached, the bar reads it.
histories = st.lists(st.sampled_from(list(CaseStatus)), max_size=12)


@given(histories)
def test_it_marks_done_exactly_the_steps_reached_before_the_current_one(history):
    case = Case()  # a new case, unsaved: move_to is the model's alone
    for status in history:
        case.move_to(status, now=timezone.now())
    steps = status_steps(case.statuses_reached, case.status)
    keys = [step.key for step in steps]
    been = {NEW.value, *history}

    assert len(steps) == 4
    assert [step.key for step in steps if step.is_current] == [case.status]
    assert keys[:3] == [NEW, ESET, YOU]
    assert keys[3] == (case.status if case.status in CLOSED_STATUSES else RESOLVED)
    here = keys.index(case.status)
    for index, step in enumerate(steps):
        if step.state == DONE:
            assert step.key in been, f"{step.key} shown done but never reached"
        expected_done = index < here and step.key in been
        assert (step.state == DONE) == expected_done


def stage_bar(stages, stage_id):
    return [step.state for step in stage_steps(stages, stage_id)]


@pytest.mark.django_db
def test_it_marks_the_stages_before_the_current_one_as_done(catalogue):
    stages = list(Stage.objects.filter(service__code="healthcheck").order_by("position", "id"))
    assert len(stages) >= 3
    assert stage_bar(stages, stages[1].pk) == [DONE, CURRENT] + [TODO] * (len(stages) - 2)
    assert stage_bar(stages, None) == [TODO] * len(stages)
    assert stage_bar(stages[1:], stages[0].pk) == [TODO] * (len(stages) - 1), (
        "a stage no longer offered makes none done"
    )


@pytest.mark.django_db
def test_it_keeps_the_statuses_a_case_went_through(make_case, customer, operator):
    case = make_case(customer)
    message_post(case=case, author=operator, body="ご確認ください", post_id=uuid.uuid4())
    case.refresh_from_db()
    case_update(case=case, operator=operator, status=INVALID, stage=None, assigned_to=None)
    case.refresh_from_db()
    assert case.statuses_reached == ["new", "waiting_customer", "invalid"]
    straight = make_case(customer, status=RESOLVED)
    straight.refresh_from_db()
    assert straight.statuses_reached == ["new", "resolved"]


# -- the page -------------------------------------------------------------------------------


def steps_of(content: str, testid: str) -> list[tuple[str, str, bool, str]]:
    """(key, state, aria-current, text) of each step of a bar, as the page writes them."""
    ol = re.search(rf'<ol[^>]*data-testid="{testid}".*?</ol>', content, re.S).group(0)
    return [
        (key, state, bool(current), re.sub(r"<[^>]+>", "", text))
        for key, state, current, text in re.findall(
            r'<li class="[^"]*" data-step="([^"]*)" data-state="([^"]*)"( aria-current="step")?>'
            r"(.*?)</li>",
            ol,
            re.S,
        )
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ja", ["✓ 新規 （完了）", "ESETの対応待ち （未完了）", "（未完了）", "無効"]),
        (
            "en",
            ["✓ New (completed)", "Waiting for ESET (not completed)", "(not completed)", "Invalid"],
        ),
    ],
)
def test_it_draws_the_bar_in_words_as_well_as_colours(
    customer_client, customer, make_case, language, words
):
    customer.language = language
    customer.save()
    case = make_case(customer, status=INVALID)
    steps = steps_of(customer_client.get(detail(case)).content.decode(), "status-steps")
    assert [(key, state, current) for key, state, current, _text in steps] == [
        ("new", DONE, False),
        ("waiting_eset", TODO, False),
        ("waiting_customer", TODO, False),
        ("invalid", CURRENT, True),
    ]
    texts = [text for *_rest, text in steps]
    assert texts[0] == words[0] and texts[1] == words[1]
    assert texts[2].endswith(words[2]) and texts[3] == words[3]


@pytest.mark.django_db
def test_it_draws_the_stage_bar_for_staged_services_only(customer_client, customer, make_case):
    case = make_case(customer, service="healthcheck")
    case.stage = Stage.objects.get(service__code="healthcheck", code="service-plan")
    case.save()
    steps = steps_of(customer_client.get(detail(case)).content.decode(), "stage-steps")
    assert steps[0][1:3] == (DONE, False) and steps[0][3].startswith("✓ アセスメントフォーム")
    assert steps[1][1:3] == (CURRENT, True)
    assert {state for _key, state, _current, _text in steps[2:]} == {TODO}
    plain = make_case(customer)
    assert 'data-testid="stage-steps"' not in customer_client.get(detail(plain)).content.decode()


# -- the poll -------------------------------------------------------------------------------


def poll_url(page: str) -> str:
    """The address the page's poll asks, as htmx reads it from the page."""
    return re.search(r'id="chatter-poll" hx-get="([^"]*)"', page).group(1).replace("&amp;", "&")


@pytest.mark.django_db
def test_it_redraws_every_status_part_together_when_a_poll_finds_a_new_status(
    customer_client, customer, make_case, operator
):
    case = make_case(customer)
    page = customer_client.get(detail(case, tab="chatter")).content.decode()
    url = poll_url(page)
    assert url.endswith("?after=0&status=new&stage=&reached=1")
    assert customer_client.get(url).status_code == 204

    case_update(case=case, operator=operator, status=RESOLVED, stage=None, assigned_to=None)
    answer = customer_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    # One swap each, out of band: the badge and both bars in one block, the reply's button,
    # what a screen reader is told, and the poll that now says the new status.
    assert re.search(r'<div id="case-state" hx-swap-oob="true">', answer)
    assert 'id="case-status" data-testid="case-status">解決済み<' in answer
    assert [s[:3] for s in steps_of(answer, "status-steps")] == [
        ("new", DONE, False),
        ("waiting_eset", TODO, False),
        ("waiting_customer", TODO, False),
        ("resolved", CURRENT, True),
    ]
    assert re.search(r'<div id="chatter-reply"[^>]* hx-swap-oob="true">', answer)
    assert "投稿を共有すると、ケースが再開されます" in answer
    assert re.search(r'<p id="case-status-said"[^>]* hx-swap-oob="innerHTML">', answer)
    assert "「解決済み」" in answer
    assert 'id="id_body"' not in answer, "the typed reply is never redrawn"
    assert poll_url(answer).endswith("&status=resolved&stage=&reached=2")
    assert customer_client.get(poll_url(answer)).status_code == 204


@pytest.mark.django_db
def test_it_redraws_the_bar_when_the_status_left_and_came_back_between_two_polls(
    customer_client, customer, make_case, operator
):
    # Waiting for your input, then Waiting for ESET and back, with no message: the status the
    # page shows is current again, but Waiting for ESET is now a step done.
    case = make_case(customer)
    case_update(case=case, operator=operator, status=YOU, stage=None, assigned_to=None)
    url = poll_url(customer_client.get(detail(case, tab="chatter")).content.decode())
    assert customer_client.get(url).status_code == 204
    for status in (ESET, YOU):
        case.refresh_from_db()
        case_update(case=case, operator=operator, status=status, stage=None, assigned_to=None)
    answer = customer_client.get(url).content.decode()
    assert [s[:2] for s in steps_of(answer, "status-steps")][:3] == [
        ("new", DONE),
        ("waiting_eset", DONE),
        ("waiting_customer", CURRENT),
    ]
    assert customer_client.get(poll_url(answer)).status_code == 204


@pytest.mark.django_db
def test_it_redraws_the_stage_bar_when_only_the_stage_changed(
    customer_client, customer, make_case, operator
):
    case = make_case(customer, service="healthcheck")
    url = poll_url(customer_client.get(detail(case, tab="chatter")).content.decode())
    plan = Stage.objects.get(service__code="healthcheck", code="service-plan")
    case_update(case=case, operator=operator, status=case.status, stage=plan, assigned_to=None)
    answer = customer_client.get(url).content.decode()
    assert [s[1] for s in steps_of(answer, "stage-steps")][:2] == [DONE, CURRENT]
    assert 'id="case-status-said"' not in answer, "the status did not change: nothing to say"
    assert poll_url(answer).endswith(f"&status=new&stage={plan.pk}&reached=1")
    assert customer_client.get(poll_url(answer)).status_code == 204


@pytest.mark.django_db
def test_it_offers_the_reply_by_the_reopening_window(
    customer_client, customer, make_case, settings
):
    settings.CASE_REOPEN_DAYS = 14
    recent = make_case(customer, status=RESOLVED)
    page = customer_client.get(detail(recent, tab="chatter")).content.decode()
    button = re.search(r'<div id="chatter-reply".*?</div>', page, re.S).group(0)
    assert " disabled" not in button and "ケースが再開されます" in button
    old = make_case(customer, status=RESOLVED, moved_at=timezone.now() - dt.timedelta(days=15))
    page = customer_client.get(detail(old, tab="chatter")).content.decode()
    button = re.search(r'<div id="chatter-reply".*?</div>', page, re.S).group(0)
    assert re.search(r'<button type="submit"[^>]* disabled', button)
    assert 'data-testid="follow-up"' in page
    open_case = make_case(customer)
    page = customer_client.get(detail(open_case, tab="chatter")).content.decode()
    assert 'data-testid="chatter-closed"' not in page


@pytest.mark.django_db
def test_it_answers_a_poll_of_a_page_that_sends_no_stage_as_showing_none(
    customer_client, customer, make_case
):
    case = make_case(customer)
    url = reverse("cases:chatter_updates", args=[case.number])
    assert customer_client.get(f"{url}?after=0&status=new").status_code == 204
