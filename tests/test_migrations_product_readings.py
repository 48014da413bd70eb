"""The migration that adds the products' Japanese readings fills them, from the fixtures, into
a catalogue loaded before it (a deployment loads the fixtures only into an empty one)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog import selectors
from catalog.models import Product

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("catalog", "0001_initial")]
AFTER = [("catalog", "0002_product_reading_ja")]


@pytest.fixture
def migrate():
    yield lambda target: MigrationExecutor(connection).migrate(target)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_it_fills_the_readings_of_a_catalogue_loaded_before_it(migrate, catalogue):
    migrate(BEFORE)
    migrate(AFTER)
    readings = dict(Product.objects.values_list("code", "reading_ja"))
    assert readings["eset-endpoint-security"] == "イーセット エンドポイント セキュリティ"
    assert all(readings.values())
    assert [p.name_en for p in selectors.product_search("えんどぽいんと せきゅりてぃ")][:1] == [
        "ESET Endpoint Security"
    ]
