# Loaded with Django, so that `shared_task` binds to this app (Celery's Django layout).
from hub.celery import app as celery_app

__all__ = ["celery_app"]
