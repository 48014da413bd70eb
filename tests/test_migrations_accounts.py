"""The migration that introduced one canonical spelling and the demo marks, run on old data."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.migrations import schema_at

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("accounts", "0005_companion_pairing_claim")]
AFTER = [("accounts", "0006_demo_accounts_canonical_emails")]


@pytest.fixture
def old_schema(catalogue):
    with schema_at(BEFORE) as apps:
        yield apps


def migrate_forward():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)


def test_it_marks_only_what_demo_resets_made_and_folds_spellings(old_schema):
    User = old_schema.get_model("accounts", "User")
    User.objects.create(email="yuki.sato@sample-shoji.example", full_name="demo")
    User.objects.create(email="trainer@school.example", full_name="a real trainer")
    User.objects.create(email="\u212aen@example.com", full_name="Kelvin")
    migrate_forward()
    from accounts.models import User as Current

    assert Current.objects.get(email="yuki.sato@sample-shoji.example").is_demo
    assert not Current.objects.get(email="trainer@school.example").is_demo
    assert Current.objects.filter(email="ken@example.com").exists()


def test_it_stops_with_a_clear_message_when_two_accounts_fold_into_one(old_schema):
    User = old_schema.get_model("accounts", "User")
    User.objects.create(email="sam@example.com", full_name="Sam")
    User.objects.create(email="\u017fam@example.com", full_name="look-alike")
    with pytest.raises(RuntimeError, match=re.escape("sam@example.com = \u017fam@example.com")):
        migrate_forward()
    User.objects.filter(email="\u017fam@example.com").delete()
