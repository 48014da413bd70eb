from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes for the case list's sorts by status, creation, number and subject, and its status
    filter (cases.filters)."""

    dependencies = [
        ("cases", "0005_case_description_html"),
    ]

    operations = [
        # Sorted by status, the most recently updated first within each (and a status filter
        # in the default order) read straight from this one.
        migrations.RemoveIndex(model_name="case", name="cases_company_status"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["company", "status", "-updated_at"], name="cases_company_status_upd"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["company", "-created_at"], name="cases_company_created"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["company", "number"], name="cases_company_number"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["company", "subject"], name="cases_company_subject"),
        ),
    ]
