"""A transactional test ends by emptying every table. On PostgreSQL Django does that with one
TRUNCATE of all sixty-odd tables, which costs a file operation per table (0.5-1 s each time);
the tables of a test hold a few rows, and DELETE empties them in a few milliseconds. Foreign
keys are deferred to the commit of the flush, so the order of the tables does not matter."""

from django.db.backends.postgresql.operations import DatabaseOperations

_truncating_flush = DatabaseOperations.sql_flush


def _deleting_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if reset_sequences or not tables:
        return _truncating_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    return [
        f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
        for table in tables
    ]


def install() -> None:
    DatabaseOperations.sql_flush = _deleting_flush  # type: ignore[method-assign]
