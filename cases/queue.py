"""The operators' queue order: the cases waiting for ESET first, then by last status change."""

from django.db.models import F, Func, IntegerField

WAITING_FOR_ESET = "waiting_eset"  # CaseStatus.WAITING_FOR_ESET; models.py imports this module


class WaitingForEsetFirst(Func):
    """0 for a case waiting for ESET, 1 for any other. The status and the numbers are written
    into the SQL, not bound as parameters: a database serves an ORDER BY from an index on an
    expression only when the two are the same expression, and SQLite never matches a bound
    parameter against the index's constant."""

    template = f"CASE WHEN %(expressions)s = '{WAITING_FOR_ESET}' THEN 0 ELSE 1 END"
    output_field = IntegerField()

    def __init__(self, **extra):
        super().__init__(F("status"), **extra)


# The index that serves it, with the columns that follow it in the order.
QUEUE_ORDER = (WaitingForEsetFirst().asc(), "status_changed_at", "id")
