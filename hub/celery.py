"""The Celery app: mail and housekeeping on workers, with Redis as the broker (REDIS_URL).

Configured from the Django settings (the `CELERY_*` names) as in Celery's own Django example;
tasks are found in each app's `tasks.py`. Start a worker with `make worker` and the scheduler
with `make beat`. Without REDIS_URL nothing here runs: mail is sent in-process after commit.
"""

import os

from celery import Celery

# Before the app is made: Celery installs its Django fix-up (django.setup() in each worker,
# database connections closed around tasks) only when this is set, and `celery -A hub` may be
# started without it. A default, as in manage.py: a value already set is kept.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

app = Celery("hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
