import socket

from django.core.management import get_commands, load_command_class

from hub.management.commands.runserver import ClassroomWSGIServer


def test_it_serves_make_run_with_the_deep_queue_and_without_django_static_files():
    assert get_commands()["runserver"] == "hub"
    command = load_command_class("hub", "runserver")
    assert command.server_cls is ClassroomWSGIServer
    # Still whitenoise's command: static files come from whitenoise, as under gunicorn.
    parser = command.create_parser("manage.py", "runserver")
    assert parser.parse_args([]).use_static_handler is False


def test_it_keeps_a_class_worth_of_simultaneous_connections_waiting_instead_of_dropping_them():
    server = ClassroomWSGIServer(("127.0.0.1", 0), None, ipv6=False)
    try:
        # Nobody accepts: every connection waits in the listen queue. With Django's 10 the
        # kernel drops the later handshakes and the client's retry comes after the timeout.
        port = server.server_address[1]
        clients = [socket.create_connection(("127.0.0.1", port), timeout=0.5) for _ in range(40)]
        for client in clients:
            client.close()
    finally:
        server.server_close()
