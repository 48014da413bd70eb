from django.db import migrations, models


class Migration(migrations.Migration):
    """The case list sorted by priority read a priority at a time from an index, in order
    (cases.selectors.CasesByPriority), instead of sorting every case of the company. The
    status, last, answers the status filters from the index too: the count per priority and
    the rows a page skips."""

    dependencies = [
        ("cases", "0007_case_queue_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["company", "priority", "-updated_at", "-id", "status"],
                name="cases_company_priority_upd",
            ),
        ),
    ]
