from django.db import migrations, models

import cases.queue


class Migration(migrations.Migration):
    """The operators' queue by response due time: awaiting ESET first, then by due (none last),
    then id, read from an index a page at a time instead of sorting every case."""

    dependencies = [
        ("cases", "0011_response_clock"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="cases_case_queue"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                cases.queue.QueueRank(),
                models.F("response_due_at"),
                models.F("id"),
                name="cases_case_queue_due",
            ),
        ),
    ]
