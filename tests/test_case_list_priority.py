"""The case list sorted by priority, read a priority at a time (cases.selectors.CasesByPriority):
the same rows in the same order as the plain ORDER BY, on any data."""

import datetime as dt
import uuid

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.filters import SORTS
from cases.models import Case, CaseStatus
from cases.selectors import CasesByPriority
from catalog.models import Priority

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# Few values on purpose: ties of rank and of last update are the hard part.
cases_drawn = st.lists(
    st.tuples(
        st.integers(0, 3),  # which priority
        st.integers(0, 3),  # minutes after START of its last update
        st.sampled_from([CaseStatus.NEW, CaseStatus.RESOLVED, CaseStatus.WAITING_FOR_ESET]),
    ),
    max_size=30,
)


def _copies(first, drawn, priorities):
    copies = []
    for n, (which, _minutes, status) in enumerate(drawn):
        copy = Case.objects.get(pk=first.pk)
        copy.pk = None
        copy.number = f"{90_000_000 + n:08d}"
        copy.submission_id = uuid.uuid4()
        copy.priority = priorities[which % len(priorities)]
        copy.status = status
        copy.closed_at = START if status == CaseStatus.RESOLVED else None
        copies.append(copy)
    made = Case.objects.bulk_create(copies)
    for copy, (_which, minutes, _status) in zip(made, drawn, strict=True):
        copy.updated_at = START + dt.timedelta(minutes=minutes)
    Case.objects.bulk_update(made, ["updated_at"])  # bulk_create stamped them now


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    drawn=cases_drawn,
    positions=st.lists(st.integers(0, 2), min_size=4, max_size=4),
    descending=st.booleans(),
    open_only=st.booleans(),
    page_size=st.integers(1, 7),
)
def test_it_orders_by_priority_as_the_plain_order_by(
    customer, make_case, drawn, positions, descending, open_only, page_size
):
    with transaction.atomic():
        first = make_case(customer)
        priorities = list(Priority.objects.order_by("id")[:4])
        for priority, position in zip(priorities, positions, strict=False):
            Priority.objects.filter(pk=priority.pk).update(position=position)  # ranks tie too
        _copies(first, drawn, priorities)
        cases = Case.objects.for_user(customer).for_list()
        if open_only:
            cases = cases.open()
        plain = list(cases.order_by(*SORTS["-priority" if descending else "priority"]))
        ranked = CasesByPriority(cases, descending=descending)
        assert ranked.count() == len(plain)
        for start in range(0, len(plain) + page_size, page_size):
            assert ranked[start : start + page_size] == plain[start : start + page_size]
        transaction.set_rollback(True)


def test_it_lists_a_page_by_priority_in_rank_order(customer_client, customer, make_case):
    low = make_case(customer, priority="normal")
    urgent = make_case(customer, priority="critical")
    numbers = [c.number for c in customer_client.get("/?sort=priority").context["page"]]
    rank = {p.code: p.position for p in Priority.objects.all()}
    expected = sorted([low, urgent], key=lambda c: rank[c.priority.code])
    assert numbers == [c.number for c in expected]
    reverse = [c.number for c in customer_client.get("/?sort=-priority").context["page"]]
    assert reverse == numbers[::-1]


def test_it_falls_back_to_the_plain_order_for_a_priority_not_ranked_yet(
    customer, make_case, monkeypatch
):
    make_case(customer, priority="normal")
    make_case(customer, priority="critical")
    # The process's copy of the catalogue knows none of them (another worker just added them).
    monkeypatch.setattr("catalog.selectors.every_priority_choices", lambda: [])
    cases = Case.objects.for_user(customer).for_list()
    ranked = CasesByPriority(cases)
    assert ranked[0:25] == list(cases.order_by(*SORTS["priority"]))


def test_it_counts_the_priority_groups_once_even_when_it_falls_back(
    customer, make_case, monkeypatch, django_assert_num_queries
):
    make_case(customer, priority="normal")
    monkeypatch.setattr("catalog.selectors.every_priority_choices", lambda: [])
    ranked = CasesByPriority(Case.objects.for_user(customer).for_list())
    with django_assert_num_queries(3):  # the groups once, then the plain count and page
        assert len(ranked) == 1
        assert len(ranked[0:25]) == 1
