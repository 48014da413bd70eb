"""Settings of a Celery worker started by a test: the portal's, on the test process's database.

The test passes the name of its test database (SQLite file or PostgreSQL database) in
HUB_TEST_DATABASE_NAME, so the worker reads the rows the test wrote and committed.
"""

import os

from hub.settings import *  # noqa: F403
from hub.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["HUB_TEST_DATABASE_NAME"]
# Claims run out in seconds (tests/test_tasks.py WORKER_CLAIM_LEASE): set here, as the
# environment's EMAIL_CLAIM_LEASE cannot go below 20 × EMAIL_TIMEOUT.
EMAIL_CLAIM_LEASE_SECONDS = 5
