"""What the catalogue loaded into the test database, kept as rows, so that a transactional test
(which empties every table when it ends) gets it back with one insert per table instead of a
second `load_catalogue` (YAML parsing, natural-key look-ups, integrity checks: a second or more
per test, for some 200 browser and transactional tests on each database)."""

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model

from catalog import cache

_rows: list[tuple[type[Model], list[dict]]] = []


def _tables() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def filled_tables() -> set[type[Model]]:
    return {model for model in _tables() if model._base_manager.exists()}


def take(*, besides: set[type[Model]]) -> None:
    """Remember every row of the tables that hold any, but those in `besides` (what migrations
    fill, such as content types and permissions: a flush makes those again itself)."""
    _rows.clear()
    for model in _tables():
        if model not in besides and (rows := list(model._base_manager.values())):
            _rows.append((model, rows))


def restore() -> None:
    """Put the remembered rows back. Foreign keys are checked at commit on both databases, so
    the order of the tables does not matter; sequences move past the ids written."""
    with transaction.atomic():
        for model, rows in _rows:
            model._base_manager.bulk_create([model(**row) for row in rows])
        models = [model for model, _ in _rows]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            with connection.cursor() as cursor:
                cursor.execute(sql)
    cache.forget()  # bulk_create sends no signal: the process forgets its copy itself
