from django.db import migrations, models

from cases.text import message_html

BATCH = 500


def render_existing(apps, schema_editor):
    """Messages posted before this migration get their HTML made once, here."""
    Message = apps.get_model("cases", "Message")
    last = 0
    while True:
        batch = list(Message.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        for message in batch:
            message.body_html = message_html(message.body)
        Message.objects.bulk_update(batch, ["body_html"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_lifecycle_constraints"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="body_html",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop),
    ]
