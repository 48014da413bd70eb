import unicodedata

from django.db import migrations, models


def canonical_emails(apps, schema_editor):
    # One spelling for storage, lookup and throttling (accounts.models.canonical_email, copied:
    # a migration must not change when the code does).
    for model in ("User", "Invitation"):
        rows = apps.get_model("accounts", model).objects.all()
        for row in rows.only("pk", "email").iterator():
            canonical = unicodedata.normalize("NFKC", row.email).strip().lower()
            if canonical != row.email:
                rows.filter(pk=row.pk).update(email=canonical)


def mark_demo(apps, schema_editor):
    # Accounts and invitations made by earlier demo resets, which used the .example domain alone.
    apps.get_model("accounts", "User").objects.filter(email__endswith=".example").update(
        is_demo=True
    )
    apps.get_model("accounts", "Invitation").objects.filter(email__endswith=".example").update(
        is_demo=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_companion_pairing_claim"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_demo",
            field=models.BooleanField(default=False, editable=False, verbose_name="demo account"),
        ),
        migrations.AddField(
            model_name="invitation",
            name="is_demo",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="demo invitation"
            ),
        ),
        migrations.RunPython(mark_demo, migrations.RunPython.noop),
        migrations.RunPython(canonical_emails, migrations.RunPython.noop),
    ]
