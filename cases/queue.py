"""The operators' queue order: the cases awaiting ESET first, then by when their next response
is due (cases without a due time after those with one), then by id."""

from django.db.models import F, Func, IntegerField

NEW = "new"  # CaseStatus.NEW; models.py imports this module, so the values are repeated here
WAITING_FOR_ESET = "waiting_eset"  # CaseStatus.WAITING_FOR_ESET
AWAITING_ESET = (NEW, WAITING_FOR_ESET)


class QueueRank(Func):
    """0 for a case awaiting ESET with a due time, 1 awaiting ESET without one, 2 for any other
    case with a due time, 3 without. One expression keeps "no due time last" the same on SQLite
    (where NULL sorts first) and PostgreSQL (where it sorts last).

    The statuses and the numbers are written into the SQL, not bound as parameters: a database
    serves an ORDER BY from an index on an expression only when the two are the same
    expression, and SQLite never matches a bound parameter against the index's constant."""

    output_field = IntegerField()
    _AWAITING = ", ".join(f"'{status}'" for status in AWAITING_ESET)

    def __init__(self, **extra):
        super().__init__(F("status"), F("response_due_at"), **extra)

    def as_sql(self, compiler, connection, *args, **extra_context):
        status_sql, status_params = compiler.compile(self.source_expressions[0])
        due_sql, due_params = compiler.compile(self.source_expressions[1])
        sql = (
            f"CASE WHEN {status_sql} IN ({self._AWAITING})"
            f" THEN (CASE WHEN {due_sql} IS NULL THEN 1 ELSE 0 END)"
            f" ELSE (CASE WHEN {due_sql} IS NULL THEN 3 ELSE 2 END) END"
        )
        return sql, (*status_params, *due_params, *due_params)


class WaitingForEsetFirst(Func):
    """The order of the first queue index (migration 0007), kept for that migration."""

    template = f"CASE WHEN %(expressions)s = '{WAITING_FOR_ESET}' THEN 0 ELSE 1 END"
    output_field = IntegerField()

    def __init__(self, **extra):
        super().__init__(F("status"), **extra)


# The index cases_case_queue_due serves it: the same expressions, in the same order.
QUEUE_ORDER = (QueueRank().asc(), F("response_due_at").asc(), F("id").asc())
