"""The two-server test (issue #15): two gunicorns on different ports against one PostgreSQL
database, one Redis and one S3 server (moto, started by the test), plus a Celery worker and
beat, mail by SMTP to a server of the test's own. Real HTTP against both, as a person signs in.

It runs in .ci/run. Anywhere else it is skipped unless both variables are set:

    TWO_SERVERS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_two_servers \
    TWO_SERVERS_REDIS_URL=redis://127.0.0.1:6379 \
    .venv/bin/python -m pytest tests/two_servers

The database named there is created and dropped by the test (anything in it is lost); of the
Redis server it empties two databases, for the cache and sessions and for the task broker:
TWO_SERVERS_REDIS_DBS, "3,4" unless set (two runs side by side need a database name and a pair
of numbers each). Once both are set, a PostgreSQL or Redis that does not answer fails the test
rather than skipping it. Its processes stop when the test run dies, even killed.
"""
