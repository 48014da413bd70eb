"""The migration that lets a case have no main content or problem (the product-group layout
asks for neither) goes back without losing a case."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog.models import Problem
from tests.factories import create_case

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("cases", "0009_case_statuses_reached")]


@pytest.fixture
def migrate_back():
    yield lambda: MigrationExecutor(connection).migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_it_gives_cases_without_a_problem_the_first_one_on_the_way_back(migrate_back, customer):
    create_case(customer, service="healthcheck", main_content=None, problem=None)
    typed = create_case(customer)
    problem = typed.problem

    migrate_back()

    old_apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    rows = old_apps.get_model("cases", "Case").objects.order_by("pk")
    first = Problem.objects.order_by("main_content__position", "position", "id").first()
    assert [(row.main_content_id, row.problem_id) for row in rows] == [
        (first.main_content_id, first.pk),
        (problem.main_content_id, problem.pk),
    ]
