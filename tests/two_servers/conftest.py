"""Fixtures of the two-server test: the deployment (started once for the module), its mail
server, and direct views of the shared database, Redis and bucket; the log of every process
is added to the report of a test that fails."""

import os
import threading

import psycopg
import pytest
import redis

from tests.two_servers.deployment import Deployment
from tests.two_servers.processes import check_servers, redis_dbs
from tests.two_servers.smtp_sink import SMTPSink
from tests.two_servers.visitor import Visitor

# The deployments started in this session, whose logs a failed test's report shows (also when
# starting failed: by then the fixture has stopped its processes, but the logs are kept).
STARTED: list[Deployment] = []
LOG_TAIL = 6000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for deployment in STARTED:
            for name, text in deployment.logs():
                report.sections.append((f"log of {name}", text[-LOG_TAIL:] or "(empty)"))


@pytest.fixture(scope="module")
def sink():
    server = SMTPSink()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def deployment(sink, tmp_path_factory):
    database_url = os.environ["TWO_SERVERS_DATABASE_URL"]
    redis_url = os.environ["TWO_SERVERS_REDIS_URL"]
    try:
        dbs = redis_dbs(os.environ.get("TWO_SERVERS_REDIS_DBS"))
    except ValueError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        check_servers(database_url, redis_url)
    except ConnectionError as error:
        pytest.fail(f"no answer: {error}", pytrace=False)
    deployment = Deployment(
        tmp_path_factory.mktemp("two-servers"),
        database_url=database_url,
        redis_url=redis_url,
        redis_dbs=dbs,
        smtp_port=sink.port,
    )
    STARTED.append(deployment)
    try:
        deployment.start()
        yield deployment
    finally:
        deployment.stop()


@pytest.fixture(scope="module")
def a(deployment):
    return deployment.servers["A"]


@pytest.fixture(scope="module")
def b(deployment):
    return deployment.servers["B"]


@pytest.fixture(scope="module")
def customer(deployment, a) -> Visitor:
    """The customer, signed in on A once for the module (each code is accepted once)."""
    visitor = Visitor(a.url)
    visitor.sign_in(deployment.people["customer"])
    return visitor


@pytest.fixture
def worker(deployment):
    """The Celery worker, running again after the test whatever the test did to it."""
    yield deployment.worker
    if not deployment.worker.running:
        deployment.worker.start()
        deployment.worker.wait_for_log(" ready.")


@pytest.fixture(scope="module")
def database(deployment):
    with psycopg.connect(deployment.database_url, autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def cache(deployment):
    """Redis database of the cache and sessions."""
    client = redis.Redis.from_url(deployment.cache_url)
    yield client
    client.close()


@pytest.fixture(scope="module")
def broker(deployment):
    """Redis database of the task queue."""
    client = redis.Redis.from_url(deployment.broker_url)
    yield client
    client.close()
