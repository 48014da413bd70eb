import datetime as dt
import os

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from cases.services import case_open
from tests.factories import create_case
from tests.security.auditing import ADDRESS, AGENT, guide_case_data

# "hub": what CI runs, reproducible (derandomized, no example database) and quick.
# "deep": HYPOTHESIS_PROFILE=deep, twenty times the examples, freshly random each run.
_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "database": None,
}
settings.register_profile("hub", max_examples=100, derandomize=True, **_COMMON)
settings.register_profile("deep", max_examples=2000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "hub"))


@pytest.fixture
def newcomer(make_user, company):
    """A registered customer without a second factor yet, about to pair a phone."""
    return make_user(email="pairing@example.co.jp", full_name="新人 二郎", company=company)


@pytest.fixture
def a_case(customer, company, lite_services):
    """One case of the customer's, under the company's first subscription (fuzzing's target)."""
    return create_case(customer, subscription=lite_services[0], subject="ケース")


@pytest.fixture
def visitor():
    """A browser with an address and a (too long) user agent of its own."""
    return Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)


@pytest.fixture
def temp_dir(settings, tmp_path):
    """A folder of the test's own for Django's temporary upload files."""
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


@pytest.fixture
def case(customer, lite_services):
    """The guide's example case, opened by the customer through the portal's service."""
    return case_open(user=customer, today=dt.date.today(), data=guide_case_data())
