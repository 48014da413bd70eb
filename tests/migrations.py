"""Migration tests: the database taken back to an older schema for the test, then forward."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@contextmanager
def schema_at(target: list[tuple[str, str]]) -> Iterator[Apps]:
    """The database migrated back to `target`, yielding that schema's models; migrated to the
    latest again afterwards, whatever the test did."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    executor.loader.build_graph()
    try:
        yield executor.loader.project_state(target).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
