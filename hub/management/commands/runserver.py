"""`make run`'s server, ready for a classroom.

Django's development server lets 10 connections wait; when a class of 20 presses 「続行」 at the
same moment, the kernel drops the rest and their browsers retry 1, 3 and 7 s later, which made
the first step of the guide take 8–10 s at p95 while the server itself was idle.
"""

from django.core.servers.basehttp import WSGIServer
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as WhiteNoiseRunserverCommand,
)


class ClassroomWSGIServer(WSGIServer):
    request_queue_size = 128


class Command(WhiteNoiseRunserverCommand):
    server_cls = ClassroomWSGIServer
