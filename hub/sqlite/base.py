"""Django's SQLite backend, for connections kept across requests (CONN_MAX_AGE).

A connection holds the file it opened, not its name: were the database file deleted or moved
away, a kept connection would go on writing into a file that nobody reads again. With
CONN_HEALTH_CHECKS the first query of each request asks `is_usable()`, which here compares the
file under the name with the one opened (one stat, about 2 µs) and, when they differ, has
Django open the name again, as it did on every request before connections were kept: a
deleted database fails loudly (503) instead. Replacing a WAL database while a server runs is
unsafe with or without kept connections (its -wal file stays beside it): stop the server first.
"""

import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _opened: tuple[int, int] | None = None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self._opened = self._file_under_name()
        return connection

    def is_usable(self) -> bool:
        if self.is_in_memory_db():
            return True  # closing it would lose it, and there is no file to change
        return self._opened is not None and self._file_under_name() == self._opened

    def _file_under_name(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.settings_dict["NAME"])
        except (OSError, TypeError, ValueError):
            return None
        return stat.st_dev, stat.st_ino
