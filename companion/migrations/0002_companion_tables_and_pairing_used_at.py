"""The moved models settle in their new app, with real, reversible operations:
- the tables take the companion_ names;
- the content types follow (permissions and any generic reference stay attached);
- sessions signed in with a paired app name it by django-otp's persistent id, which has the app
  label in it: they are rewritten, so nobody is signed out by the move;
- the pairing phrase becomes a one-time link (hub.one_time): `claimed_at` is its `used_at`.
"""

import importlib

from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Now

MODELS = ["companiondevice", "companionenrollment", "loginapproval", "usedsignature"]
DEVICE_ID_SESSION_KEY = "otp_device_id"  # django_otp.DEVICE_ID_SESSION_KEY


def move_content_types(apps, schema_editor, *, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_signed_in_devices(apps, schema_editor, *, old, new):
    Session = apps.get_model("sessions", "Session")
    store = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    prefix = f"{old}.companiondevice/"
    for session in Session.objects.filter(expire_date__gt=Now()).iterator():
        data = store.decode(session.session_data)
        device_id = data.get(DEVICE_ID_SESSION_KEY)
        if isinstance(device_id, str) and device_id.startswith(prefix):
            data[DEVICE_ID_SESSION_KEY] = f"{new}.companiondevice/" + device_id[len(prefix) :]
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, old="accounts", new="companion")
    move_signed_in_devices(apps, schema_editor, old="accounts", new="companion")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, old="companion", new="accounts")
    move_signed_in_devices(apps, schema_editor, old="companion", new="accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("companion", "0001_initial"),
        ("accounts", "0008_companion_moves_out"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="companiondevice", table=None),
        migrations.AlterModelTable(name="companionenrollment", table=None),
        migrations.AlterModelTable(name="loginapproval", table=None),
        migrations.AlterModelTable(name="usedsignature", table=None),
        migrations.RunPython(forwards, backwards),
        migrations.RenameField(
            model_name="companionenrollment", old_name="claimed_at", new_name="used_at"
        ),
        migrations.AlterField(
            model_name="companionenrollment",
            name="used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="used"),
        ),
        migrations.AlterField(
            model_name="companionenrollment",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
