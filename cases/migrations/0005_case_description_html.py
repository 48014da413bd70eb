from django.db import migrations, models

from cases.text import message_html

BATCH = 500


def render_existing(apps, schema_editor):
    """Cases filed before this migration get their description's HTML made once, here."""
    Case = apps.get_model("cases", "Case")
    last = 0
    while True:
        rows = Case.objects.filter(pk__gt=last).only("pk", "description").order_by("pk")
        batch = list(rows[:BATCH])
        if not batch:
            return
        for case in batch:
            case.description_html = message_html(case.description)
        Case.objects.bulk_update(batch, ["description_html"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_message_body_html"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="description_html",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop),
    ]
