"""The HUB Authenticator's models move here from accounts, tables and rows as they are.

Only Django's idea of which app owns them changes: the tables keep their accounts_ names in
this step (0002 renames them), and accounts 0008 forgets the models once this has run.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0007_defaults_from_settings_at_run_time"),
        ("otp_totp", "0003_add_timestamps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="CompanionDevice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="The human-readable name of this device.", max_length=64)),
                ("confirmed", models.BooleanField(default=True, help_text="Is this device ready for use?")),
                ("key_id", models.CharField(max_length=64, unique=True)),
                ("public_key", models.TextField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="paired")),
                ("last_used_at", models.DateTimeField(blank=True, null=True, verbose_name="last used")),
                ("codes", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="companion_device", to="otp_totp.totpdevice")),
                ("user", models.ForeignKey(help_text="The user that this device belongs to.", on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "companion authenticator",
                "verbose_name_plural": "companion authenticators",
                "db_table": "accounts_companiondevice",
            },
        ),
        migrations.CreateModel(
            name="CompanionEnrollment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key_id", models.CharField(max_length=64, unique=True)),
                ("public_key", models.TextField()),
                ("phrase_hash", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                ("claimed_with", models.CharField(blank=True, max_length=64)),
                ("device", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="companion.companiondevice")),
                ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={"db_table": "accounts_companionenrollment"},
        ),
        migrations.CreateModel(
            name="LoginApproval",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveSmallIntegerField()),
                ("choices", models.JSONField()),
                ("browser", models.CharField(blank=True, max_length=200)),
                ("client_address", models.CharField(blank=True, max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("state", models.CharField(choices=[("pending", "Waiting for approval"), ("approved", "Approved"), ("denied", "Denied"), ("mismatch", "Wrong number")], default="pending", max_length=10)),
                ("answered_at", models.DateTimeField(blank=True, null=True)),
                ("device", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="approvals", to="companion.companiondevice")),
            ],
            options={"db_table": "accounts_loginapproval"},
        ),
        migrations.CreateModel(
            name="UsedSignature",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
            ],
            options={"db_table": "accounts_usedsignature"},
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
