"""The HUB Authenticator as an app of its own: accounts asks django-otp's registry, never the
companion; the service worker is a static file under the app's scope; the pairing form only
verifies; the app page is the portal's base layout with its own frame."""

import ast
import pathlib

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import devices, services
from companion.forms import PairingForm
from companion.models import CompanionEnrollment
from tests.factories import create_companion_device, create_totp_device
from tests.phone import Phone, password_step

pytestmark = pytest.mark.django_db
ROOT = pathlib.Path(settings.BASE_DIR)


def imported_modules(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", ["accounts", "hub"])
def test_it_keeps_accounts_and_hub_free_of_companion_imports(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in imported_modules(path) if "companion" in name.split(".")
        )
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_it_names_no_companion_in_accounts_code_or_templates():
    """Not even a lookup (`companion__isnull`) or a URL name: accounts asks the devices."""
    sources = [
        *(ROOT / "accounts").glob("*.py"),
        *(ROOT / "hub" / "templates" / "accounts").rglob("*.html"),
    ]
    assert [str(p.relative_to(ROOT)) for p in sources if "companion" in p.read_text()] == []


def test_it_counts_a_confirmed_companion_alone_as_a_second_factor(make_user, company):
    user = make_user(company=company)
    assert not services.has_second_factor(user)
    create_companion_device(user, confirmed=False)
    assert not services.has_second_factor(user), "an unconfirmed device is not one"
    device = create_companion_device(user)
    assert services.has_second_factor(user)
    assert [d.persistent_id for d in devices.second_factors(user)] == [
        f"companion.companiondevice/{device.pk}"
    ]


def test_it_offers_the_companion_on_the_method_page_before_the_authenticator_app():
    assert [choice.test_id for choice in devices.setup_choices()] == [
        "method-companion",
        "method-authenticator",
    ]


def test_it_serves_the_service_worker_from_its_static_file_under_the_apps_scope(client):
    response = client.get("/companion/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Service-Worker-Allowed"] == "/companion/"
    body = b"".join(response.streaming_content)
    assert body == pathlib.Path(finders.find("companion/sw.js")).read_bytes()
    assert b'cache.addAll(["/companion/"])' in body


def test_it_registers_the_service_worker_at_the_same_address(client):
    page = client.get("/companion/").content.decode()
    assert 'data-sw="/companion/sw.js"' in page
    assert reverse("companion:service_worker") == "/companion/sw.js"


def test_it_renders_the_app_in_the_base_layout_without_the_portals_frame(client):
    response = client.get("/companion/")
    assert "base.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert 'id="companion"' in page and 'rel="manifest"' in page
    assert 'id="main"' not in page, "no portal header, sidebar or footer around the app"


def test_it_writes_nothing_while_the_pairing_form_validates(rf, make_user, company):
    phone = Phone()
    phrase = phone.enroll()
    user = make_user(company=company)
    request = rf.post("/")
    form = PairingForm(request, user, data={"phrase": phrase})
    assert form.is_valid()
    enrollment = CompanionEnrollment.objects.get(key_id=phone.key_id)
    assert form.enrollment == enrollment
    assert (enrollment.user, enrollment.used_at, enrollment.claimed_with) == (None, None, "")
    assert phone.state().json()["state"] == "waiting", "still free to claim"


def test_it_claims_the_phrase_in_the_view_after_the_form(make_user, company):
    phone = Phone()
    phrase = phone.enroll()
    user = make_user(company=company)
    browser = Client()
    password_step(browser, user)
    browser.post(reverse("companion:pair"), {"phrase": phrase})
    enrollment = CompanionEnrollment.objects.get(key_id=phone.key_id)
    assert enrollment.user == user and enrollment.used_at <= timezone.now()
    assert CompanionEnrollment.objects.used().filter(pk=enrollment.pk).exists()


def test_it_lists_a_paired_app_on_the_profile_through_the_device_rows(customer, customer_client):
    device = create_companion_device(customer, name="私のスマホ")
    page = customer_client.get(reverse("accounts:profile")).content.decode()
    assert "私のスマホ" in page
    assert f'href="{reverse("companion:manage", args=[device.pk])}"' in page


def test_it_keeps_the_apps_codes_when_another_authenticator_replaces_the_first(make_user, company):
    """Replacing the authenticator app deletes the old TOTP devices, but not the codes a paired
    app owns (accounts asks the devices, not the companion)."""
    user = make_user(company=company)
    own = create_totp_device(user, name="HUB Authenticator codes")
    create_companion_device(user, codes=own)
    old = create_totp_device(user)
    new = create_totp_device(user, confirmed=False)
    assert services.authenticator_confirm(user=user, device=new)
    assert set(TOTPDevice.objects.filter(user=user)) == {own, new}
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
