"""The HUB Authenticator's move out of accounts, run on old rows: the paired app, its pairing
and its signed-in sessions survive, and the move can be undone."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("accounts", "0007_defaults_from_settings_at_run_time")]
AFTER = [("companion", "0002_companion_tables_and_pairing_used_at")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_rows(catalogue, make_user, company):
    user = make_user(company=company)
    old = migrate(BEFORE)
    TOTPDevice = old.get_model("otp_totp", "TOTPDevice")
    Device = old.get_model("accounts", "CompanionDevice")
    Enrollment = old.get_model("accounts", "CompanionEnrollment")
    codes = TOTPDevice.objects.create(user_id=user.pk, name="HUB Authenticator codes")
    device = Device.objects.create(
        user_id=user.pk, name="私のスマホ", key_id="k1", public_key="-", codes=codes
    )
    claimed = timezone.now()
    Enrollment.objects.create(
        key_id="k1",
        public_key="-",
        phrase_hash="h",
        expires_at=claimed,
        user_id=user.pk,
        claimed_at=claimed,
        device=device,
    )
    ContentType.objects.get_or_create(app_label="accounts", model="companiondevice")
    ContentType.objects.filter(app_label="companion").delete()
    session = SessionStore()
    session[DEVICE_ID_SESSION_KEY] = f"accounts.companiondevice/{device.pk}"
    session.create()
    yield user, device.pk, claimed, session.session_key
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_it_moves_the_rows_the_content_type_and_the_signed_in_sessions(old_rows):
    user, device_id, claimed, session_key = old_rows
    migrate(AFTER)
    from companion.models import CompanionDevice, CompanionEnrollment

    device = CompanionDevice.objects.get(pk=device_id)
    assert (device.user, device.name, device.codes.name) == (
        user,
        "私のスマホ",
        "HUB Authenticator codes",
    )
    assert CompanionEnrollment.objects.get(device=device).used_at == claimed
    assert ContentType.objects.filter(app_label="companion", model="companiondevice").exists()
    assert not ContentType.objects.filter(app_label="accounts", model="companiondevice").exists()
    session = SessionStore(session_key)
    assert session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_it_moves_back(old_rows):
    _user, device_id, claimed, session_key = old_rows
    migrate(AFTER)
    old = migrate(BEFORE)
    device = old.get_model("accounts", "CompanionDevice").objects.get(pk=device_id)
    assert device.name == "私のスマホ"
    enrollment = old.get_model("accounts", "CompanionEnrollment").objects.get(device=device)
    assert enrollment.claimed_at == claimed
    session = SessionStore(session_key)
    assert session[DEVICE_ID_SESSION_KEY] == f"accounts.companiondevice/{device_id}"
