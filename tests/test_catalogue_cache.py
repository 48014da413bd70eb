"""The catalogue each process keeps in memory (catalog/cache.py): read once, forgotten at once
by the process that edits it, kept at most CATALOGUE_CACHE_SECONDS by the others, never
outliving a rolled-back edit."""

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from catalog import cache, selectors
from catalog.models import Priority, ResponseTarget, Service, Stage

pytestmark = pytest.mark.django_db


def stage_names(code="healthcheck"):
    with translation.override("en"):
        return [stage.name for stage in selectors.stages_of(Service.objects.get(code=code))]


def test_it_reads_each_list_once(catalogue, django_assert_num_queries):
    healthcheck = Service.objects.get(code="healthcheck")
    normal = Priority.objects.get(is_default=True)
    with django_assert_num_queries(4):  # stages, response targets, default priority, services
        for _ in range(3):
            selectors.stages_of(healthcheck)
            selectors.response_target_minutes(healthcheck, normal)
            selectors.default_priority()
            selectors.service_by_code("mdr")


def test_it_answers_as_the_database_does(catalogue):
    healthcheck = Service.objects.get(code="healthcheck")
    stored = list(healthcheck.stages.filter(active=True).order_by("position", "id"))
    assert selectors.stages_of(healthcheck) == stored
    assert selectors.stages_of(Service.objects.get(code="premium-support")) == []
    for target in ResponseTarget.objects.all():
        assert selectors.response_target_minutes(target.service, target.priority) == target.minutes
    assert selectors.default_priority() == Priority.objects.get(is_default=True)
    assert selectors.service_by_code("mdr") == Service.objects.get(code="mdr")
    assert selectors.service_by_code("no-such-service") is None


def test_it_names_the_lists_in_the_language_of_the_request(catalogue):
    with translation.override("ja"):
        japanese = dict(selectors.every_priority_choices())
    with translation.override("en"):
        english = dict(selectors.every_priority_choices())
    normal = Priority.objects.get(is_default=True)
    assert (japanese[normal.pk], english[normal.pk]) == ("一般", "Normal")
    assert list(english) == list(Priority.objects.values_list("pk", flat=True))


def test_it_shows_an_edit_at_once_in_the_process_that_made_it(catalogue):
    first = stage_names()[0]
    stage = Stage.objects.get(service__code="healthcheck", name_en=first)
    stage.name_en = "Assessment (renamed)"
    stage.save()
    assert stage_names()[0] == "Assessment (renamed)"
    Stage.objects.filter(pk=stage.pk).update(active=False)  # sends no signal
    assert "Assessment (renamed)" not in stage_names()


def test_it_shows_an_operators_deactivation_in_the_admin_at_once(catalogue, operator_client):
    assert selectors.default_priority() is not None
    response = operator_client.post(
        reverse("admin:catalog_priority_changelist"),
        {
            "action": "deactivate",
            "_selected_action": [Priority.objects.get(is_default=True).pk],
        },
    )
    assert response.status_code == 302
    assert selectors.default_priority() is None


def test_it_forgets_an_edit_that_was_rolled_back(catalogue):
    before = stage_names()
    with pytest.raises(RuntimeError), transaction.atomic():
        Stage.objects.filter(service__code="healthcheck").update(name_en="Rolled back")
        assert set(stage_names()) == {"Rolled back"}
        raise RuntimeError
    assert stage_names() == before


@pytest.mark.django_db(transaction=True)
def test_it_keeps_its_copy_for_at_most_the_set_seconds_when_another_process_edits(
    catalogue, settings, monkeypatch
):
    settings.CATALOGUE_CACHE_SECONDS = 10
    before = stage_names()
    # Another worker process renames a stage: its signals never reach this one.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_stage SET name_en = %s WHERE name_en = %s", ["Elsewhere", before[0]]
        )
    assert stage_names() == before  # within the 10 seconds: harmless, a label
    now = cache.time.monotonic()
    monkeypatch.setattr(cache.time, "monotonic", lambda: now + 11)
    assert stage_names()[0] == "Elsewhere"


@pytest.mark.django_db(transaction=True)
def test_it_drops_the_lists_a_rolled_back_transaction_replaced(catalogue):
    before = stage_names()
    with pytest.raises(RuntimeError), transaction.atomic():
        Stage.objects.filter(service__code="healthcheck").update(name_en="Rolled back")
        raise RuntimeError
    assert stage_names() == before
    assert stage_names() == before  # and what it keeps now is the database's


@pytest.mark.django_db(transaction=True)
def test_it_keeps_a_reused_transaction_blocks_copy_no_longer_than_the_set_seconds(
    catalogue, settings, monkeypatch
):
    """@transaction.atomic enters the same block object at every call of the function, so the
    block alone does not tell one transaction from the next."""
    settings.CATALOGUE_CACHE_SECONDS = 10

    @transaction.atomic
    def names_in_a_transaction():
        return stage_names()

    before = names_in_a_transaction()
    with connection.cursor() as cursor:  # another worker process renames a stage
        cursor.execute(
            "UPDATE catalog_stage SET name_en = %s WHERE name_en = %s", ["Elsewhere", before[0]]
        )
    now = cache.time.monotonic()
    monkeypatch.setattr(cache.time, "monotonic", lambda: now + 11)
    assert names_in_a_transaction()[0] == "Elsewhere"
