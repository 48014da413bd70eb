"""The suite never reaches the parts a deployment shares (tests/isolation.py): with REDIS_URL,
CELERY_BROKER_URL, STORAGE_URL and UPLOAD_ROOT exported in the shell, a pytest run of the
checkout's configuration still has one server's settings, and Celery no broker."""

import os
import subprocess
import sys

from tests.helpers import CHECKOUT, needs_checkout

PROBE = """
import os
from django.conf import settings
from hub import celery_app

def test_probe():
    shared = {"REDIS_URL", "CELERY_BROKER_URL", "STORAGE_URL", "UPLOAD_ROOT"} & set(os.environ)
    assert not shared
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert settings.SESSION_ENGINE == "hub.sessions"
    assert settings.STORAGES["attachments"]["BACKEND"] == "cases.uploads.AttachmentFileStorage"
    assert settings.UPLOAD_ROOT == settings.VAR_DIR / "uploads"
    assert not settings.CELERY_BROKER_URL and not celery_app.conf.broker_url
"""


@needs_checkout("runs pytest with the checkout's pyproject.toml")
def test_it_runs_the_suite_on_one_servers_settings_whatever_the_shell_exports(tmp_path):
    (tmp_path / "test_probe.py").write_text(PROBE)
    exported = {
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens there: a use would fail
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/1",
        "STORAGE_URL": "s3://deployment-bucket?endpoint_url=http://127.0.0.1:1",
        "UPLOAD_ROOT": str(tmp_path / "deployment-uploads"),
    }
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [
            *pytest,
            "-c",
            "pyproject.toml",
            "--rootdir",
            str(CHECKOUT),
            str(tmp_path / "test_probe.py"),
        ],
        cwd=CHECKOUT,
        env=os.environ | exported,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert not (tmp_path / "deployment-uploads").exists()
