from collections import defaultdict

from django.db import migrations, models

import cases.models

STATUSES = ("new", "waiting_eset", "waiting_customer", "resolved", "invalid")
BATCH = 500


def fill(apps, schema_editor):
    """Every status a case has been in, as the audit trail knows it (the portal and the admin
    record each change there), then its current one. A case moved without a trace (the demo
    seed, a hand edit) gets New and where it is: the bar then shows no step as done that is
    not known to have happened."""
    Case = apps.get_model("cases", "Case")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    reached = defaultdict(lambda: ["new"])
    case_type = ContentType.objects.filter(app_label="cases", model="case").first()
    if case_type is not None:
        changes = (
            AuditEvent.objects.filter(subject_type=case_type, action="case_status_changed")
            .order_by("created_at", "id")
            .values_list("subject_id", "details")
        )
        for case_id, details in changes.iterator():
            for status in (details.get("old"), details.get("new")):
                if status in STATUSES and status not in reached[case_id]:
                    reached[case_id].append(status)
    batch = []
    for case in Case.objects.only("id", "status").order_by("id").iterator():
        statuses = reached[case.pk]
        if case.status not in statuses:
            statuses.append(case.status)
        case.statuses_reached = statuses
        batch.append(case)
        if len(batch) == BATCH:
            Case.objects.bulk_update(batch, ["statuses_reached"])
            batch = []
    Case.objects.bulk_update(batch, ["statuses_reached"])


class Migration(migrations.Migration):
    """The statuses each case has been in, for a status bar that shows as done only the steps
    that happened (cases.progress)."""

    dependencies = [
        ("audit", "0002_permissions_changed_action"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cases", "0008_case_priority_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="statuses_reached",
            field=models.JSONField(default=cases.models.initial_statuses_reached, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
