"""Trainer mode is a layer: the portal never imports it, and shows it only through slots."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Company, Invitation, User
from hub.models import OutboundEmail
from tests.helpers import PASSWORD, classroom_url
from trainer import seed

pytestmark = pytest.mark.django_db
PORTAL_APPS = ["hub", "accounts", "cases", "companion", "catalog", "audit"]
TRAINER_TEMPLATE = re.compile(r"""\{%\s*(?:include|extends)\s+["']trainer/""")


def portal_folders():
    """Each portal app's folder, in the checkout or installed (project templates are hub's)."""
    return [Path(config.path) for config in apps.get_app_configs() if config.name in PORTAL_APPS]


def portal_python_files():
    for folder in portal_folders():
        yield from folder.rglob("*.py")


def portal_templates():
    for folder in (app / "templates" for app in portal_folders()):
        for path in folder.rglob("*"):
            if path.is_file():
                yield path


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_it_finds_no_trainer_import_in_the_portal():
    files = list(portal_python_files())
    assert len(files) > 50  # the scan reads the apps, not an empty folder
    found = [
        f"{path}: {module}"
        for path in files
        for module in imported_modules(path)
        if module == "trainer" or module.startswith("trainer.")
    ]
    assert found == []


def test_it_finds_no_trainer_template_included_by_the_portal():
    templates = list(portal_templates())
    assert any(path.name == "base.html" for path in templates)
    assert [str(p) for p in templates if TRAINER_TEMPLATE.search(p.read_text())] == []


def pages_with_slots(client, make_user, company):
    """The login page (base.html and its sidebar), then the two pages where a code is typed."""
    pages = [client.get(reverse("accounts:login")).content.decode()]
    for has_device in (False, True):
        user = make_user(company=company)
        if has_device:
            user.totpdevice_set.create(name="app", confirmed=True)
        client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
        template = "two_factor_verify" if has_device else "authenticator_setup"
        view = "two_factor" if has_device else "authenticator_setup"
        response = client.get(reverse(f"accounts:{view}"))
        assert f"accounts/{template}.html" in [t.name for t in response.templates]
        pages.append(response.content.decode())
        client.cookies.pop("sessionid", None)
    return pages


def test_it_renders_the_slots_empty_when_demo_mode_is_off(client, make_user, company):
    for page in pages_with_slots(client, make_user, company):
        assert "/demo/" not in page
        assert "demo-ribbon" not in page and 'data-testid="tour"' not in page
    assert "hub-sidebar" not in pages_with_slots(client, make_user, company)[0]


def test_it_fills_the_slots_in_demo_mode(settings, client, make_user, company):
    settings.DEMO_MODE = True
    client.get(classroom_url())
    login, setup, verify = pages_with_slots(client, make_user, company)
    assert 'data-testid="demo-ribbon"' in login and 'data-testid="tour"' in login
    assert "hub-sidebar" in login
    code_url = reverse("trainer:authenticator_code")
    assert code_url not in login
    assert code_url in setup and code_url in verify


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Company, Invitation, User, OutboundEmail)
    }


@pytest.mark.parametrize("seeded", [False, True], ids=["empty", "seeded"])
def test_it_welcomes_without_writing(settings, catalogue, capsys, seeded):
    settings.DEMO_MODE = True
    if seeded:
        call_command("demo", "--reset", verbosity=0)
    before = counts()
    with CaptureQueriesContext(connection) as queries:
        call_command("welcome", "--url", "http://testserver/")
        call_command("welcome", "--url", "http://testserver/")
    assert counts() == before
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    out = capsys.readouterr().out
    assert "http://testserver/demo/join/" in out
    assert "demo --trainees N" in out
    assert (f"{seed.DEMO_OPERATOR} / {seed.DEMO_PASSWORD}" in out) == seeded


def test_it_welcomes_without_trainer_lines_when_demo_mode_is_off(catalogue, capsys):
    call_command("welcome", "--url", "http://testserver/")
    out = capsys.readouterr().out
    assert "http://testserver/accounts/login/" in out
    assert "/demo/" not in out and "createsuperuser" in out
