"""The wheel carries every app and everything the apps read from disk, so `pip install .` works
outside the checkout: the suite passes against an installed copy."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import needs_checkout, subprocess_env

pytestmark = needs_checkout("the wheel is built from the source tree")

ROOT = Path(__file__).resolve().parent.parent
APPS = ["hub", "accounts", "cases", "catalog", "trainer", "audit", "companion"]
PIP_WHEEL = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
PIP_INSTALL = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "-q"]
LEFT_BEHIND = shutil.ignore_patterns(
    ".*", "var", "build", "dist", "*.egg-info", "__pycache__", "tests", "docs"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
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
    (built,) = out.glob("services_hub-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_files(wheel):
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


# Tests of pages, catalogue, settings, catalogues and the trainer: templates, static files, message
# catalogues, fixtures and commands all read from the installed package. Tests that need the
# checkout itself (manage.py, the source tree) skip there: helpers.needs_checkout.
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--ds=hub.settings"]
INSTALLED_RUN = [
    "tests/test_pages.py",
    "tests/test_catalogue.py",
    "tests/test_settings.py",
    "tests/test_translations.py",
    "tests/test_trainer_layer.py",
]
# Written beside the copied tests: records where each app was imported from in the inner run.
WHERE_PROBE = """
import importlib, os

def test_where_the_apps_come_from():
    with open(os.environ["WHERE_PROBE_OUT"], "w") as out:
        for app in {apps!r}:
            print(importlib.import_module(app).__file__, file=out)
"""


def test_its_tests_pass_against_an_installed_copy(wheel, tmp_path):
    """Install the wheel alone (no checkout, no editable install in the way), then run a copy of
    the tests from a folder outside the checkout, on SQLite under a VAR_DIR of their own."""
    site = tmp_path / "site"
    subprocess.run(
        [*PIP_INSTALL, "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert not (site / "manage.py").exists()
    outside = tmp_path / "outside"
    shutil.copytree(ROOT / "tests", outside / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    # The same pytest options as the checkout's (markers, warnings), none of its code.
    shutil.copy(ROOT / "pyproject.toml", outside / "pyproject.toml")
    (outside / "tests" / "test_where_probe.py").write_text(WHERE_PROBE.format(apps=APPS))
    where = tmp_path / "where.txt"
    result = subprocess.run(
        [*PYTEST, "-m", "not browser", *INSTALLED_RUN, "tests/test_where_probe.py"],
        cwd=outside,
        # subprocess_env drops DATABASE_URL: the inner run uses SQLite in its own VAR_DIR and
        # never touches this run's test database.
        env=subprocess_env(
            PYTHONPATH=str(site),
            VAR_DIR=str(tmp_path / "var"),
            DJANGO_SETTINGS_MODULE="hub.settings",
            WHERE_PROBE_OUT=str(where),
        ),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # The .venv's editable install maps the apps to the checkout; PYTHONPATH comes first.
    imported = [Path(line) for line in where.read_text().splitlines()]
    assert len(imported) == len(APPS)
    assert all(path.is_relative_to(site) for path in imported), imported
    # Only the tests that need the checkout skip there, each saying why.
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skipped and all("needs the checkout" in line for line in skipped), skipped
