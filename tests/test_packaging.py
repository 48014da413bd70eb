"""The wheel carries every app and everything the apps read from disk, so `pip install .` works
outside the checkout."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["hub", "accounts", "cases", "catalog", "trainer", "audit", "companion"]
PIP_WHEEL = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
LEFT_BEHIND = shutil.ignore_patterns(
    ".*", "var", "build", "dist", "*.egg-info", "__pycache__", "tests", "docs"
)


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory):
    # Built from a copy: the build writes build/ and *.egg-info beside the sources it reads.
    source = tmp_path_factory.mktemp("source") / "services-hub"
    shutil.copytree(ROOT, source, ignore=LEFT_BEHIND)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [*PIP_WHEEL, "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (wheel,) = out.glob("services_hub-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def source_files(pattern: str) -> set[str]:
    return {str(path.relative_to(ROOT)) for path in ROOT.glob(pattern) if path.is_file()}


def test_it_packages_every_app_with_its_migrations_and_commands(wheel_files):
    for app in APPS:
        assert f"{app}/__init__.py" in wheel_files, app
    packages = {name.rsplit("/", 1)[0] for name in source_files("*/**/__init__.py")}
    packages = {p for p in packages if p.split("/")[0] in APPS}
    assert {f"{p}/__init__.py" for p in packages} <= wheel_files
    assert any(p.endswith("/migrations") for p in packages)
    assert any(p.endswith("/management/commands") for p in packages)
    assert source_files("*/migrations/0*.py") <= wheel_files
    assert source_files("*/management/commands/*.py") <= wheel_files
    assert not any(name.startswith("tests/") for name in wheel_files)


def test_it_packages_what_the_apps_read_from_disk(wheel_files):
    templates = source_files("hub/templates/**/*")
    assert "hub/templates/base.html" in templates
    assert templates <= wheel_files
    assert "hub/static/hub/hub.css" in wheel_files
    assert source_files("hub/static/**/*") <= wheel_files
    for language in ("ja", "en"):
        assert f"hub/locale/{language}/LC_MESSAGES/django.mo" in wheel_files
        assert f"hub/locale/{language}/LC_MESSAGES/django.po" in wheel_files
    fixtures = source_files("catalog/fixtures/*.yaml")
    assert len(fixtures) >= 3
    assert fixtures <= wheel_files
