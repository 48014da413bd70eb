"""A pytest plugin, loaded first (`-p tests.isolation` in pyproject's addopts): the suite never
reaches the parts a deployment shares with others, whatever the shell exports.

Loaded before pytest-django imports hub.settings, so the settings are those of one server
without them; tests/conftest.py would be too late for that. Child processes inherit the
cleaned environment, and Celery, which reads CELERY_BROKER_URL from the environment ahead of
its configuration, finds none. A test that means to use one of these parts sets it itself.
"""

import os

# What points a process at a shared part: its Redis, task broker, bucket, upload folder, mail
# server. tests.helpers.subprocess_env leaves them out of a child's environment too.
SHARED_PARTS = (
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "STORAGE_URL",
    "UPLOAD_ROOT",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
)

for name in SHARED_PARTS:
    os.environ.pop(name, None)
