from django.db import migrations, models


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
    ]
