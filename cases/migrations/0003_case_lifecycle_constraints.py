"""The database keeps the lifecycle's invariants that Case.move_to keeps: a known status, and
closed_at set exactly while the case is closed. Rows written before (by hand, or an old seed)
are mended first: a closed case without closed_at was closed when its status last changed."""

from django.db import migrations, models

CLOSED = ["resolved", "invalid"]
KNOWN = ["new", "waiting_eset", "waiting_customer", *CLOSED]


def mend(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    unknown = sorted(set(Case.objects.exclude(status__in=KNOWN).values_list("status", flat=True)))
    if unknown:
        # No status can be guessed for these: an operator decides, then migrates again.
        raise RuntimeError(
            f"Cases with unknown statuses {unknown}: set each to one of {KNOWN} in the database, "
            "then run migrate again (nothing was changed)."
        )
    Case.objects.filter(status__in=CLOSED, closed_at__isnull=True).update(
        closed_at=models.F("status_changed_at")
    )
    Case.objects.exclude(status__in=CLOSED).exclude(closed_at=None).update(closed_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_case_assigned_to_case_follows_case_status_changed_at_and_more"),
    ]

    operations = [
        migrations.RunPython(mend, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["new", "waiting_eset", "waiting_customer", "resolved", "invalid"])
                ),
                name="cases_case_status_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("closed_at__isnull", False), ("status__in", CLOSED)),
                    models.Q(
                        models.Q(("status__in", CLOSED), _negated=True),
                        ("closed_at__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="cases_case_closed_at_iff_closed",
            ),
        ),
    ]
