"""The HUB Authenticator's models now belong to the companion app (companion 0001 took them
over, tables and rows unchanged): accounts forgets them, the database is not touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_defaults_from_settings_at_run_time"),
        ("companion", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                # LoginApproval and CompanionEnrollment point at CompanionDevice: they go first.
                migrations.DeleteModel(name="LoginApproval"),
                migrations.DeleteModel(name="CompanionEnrollment"),
                migrations.DeleteModel(name="UsedSignature"),
                migrations.DeleteModel(name="CompanionDevice"),
            ]
        ),
    ]
