"""How the two-server test runs its processes, checked without a deployment (so it runs with
the suite): a server whose port was taken in the meantime is started again on another one, and
a test run that is killed takes its processes with it."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.two_servers.processes import ROOT, Listener, Process, wait_for_http, wait_until

# A process of the deployment's kind started by a parent of its own, which prints its pid.
PARENT = """
import sys, time
from pathlib import Path
from tests.two_servers.processes import Process

sleep = [sys.executable, "-c", "import time; time.sleep(300)"]
child = Process("sleeper", sleep, {}, Path(sys.argv[1]))
child.start()
print(child.popen.pid, flush=True)
time.sleep(300)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_it_stops_the_processes_of_a_test_run_that_is_killed(tmp_path):
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path / "sleeper.log")],
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        assert alive(child)
        parent.kill()  # SIGKILL: no clean-up of its own runs
        parent.wait()
        wait_until(lambda: not alive(child), "the child of a killed run to stop", timeout=15)
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)


def test_it_starts_a_server_again_on_another_port_when_its_port_was_taken(tmp_path):
    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]

    process = Process("web", [], {"PYTHONUNBUFFERED": "1"}, tmp_path / "web.log")
    listener = Listener(
        process,
        command,
        bound="Serving HTTP on 127.0.0.1 port {port}",
        taken="Address already in use",
    )
    with socket.create_server(("127.0.0.1", 0)) as other:  # took the port in the meantime
        taken = other.getsockname()[1]
        listener.start(taken)
        try:
            listener.settle(timeout=30)
            assert listener.port != taken
            wait_for_http(process, listener.url + "/", timeout=30)
        finally:
            process.stop()
    assert "Address already in use" in Path(process.log).read_text()
