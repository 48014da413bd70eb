"""A HUB Authenticator for tests: a phone with its own P-256 key that signs its calls as
companion/static/companion/app.js does (WebCrypto), and the portal steps that pair it and ask it."""

import base64
import json
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from django.test import Client
from django.urls import reverse

from companion import services as companion
from tests.helpers import PASSWORD

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:two_factor")


class Phone:
    """A companion app: its own key, and signed calls like static/companion/app.js makes."""

    def __init__(self, client=None):
        self.key = ec.generate_private_key(ec.SECP256R1())
        spki = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_key = base64.b64encode(spki).decode()
        self.client = client or Client()
        self.key_id = None

    def enroll(self) -> str:
        response = self.client.post(
            "/companion/api/enroll",
            json.dumps({"public_key": self.public_key}),
            content_type="application/json",
        )
        data = response.json()
        self.key_id = data["key_id"]
        return data["phrase"]

    def sign(self, method, path, body=b"", *, at=None, key=None):
        stamp = str(int(at if at is not None else time.time()))
        message = companion.message_to_sign(method, path, stamp, body)
        r, s = utils.decode_dss_signature(
            (key or self.key).sign(message, ec.ECDSA(hashes.SHA256()))
        )
        raw = r.to_bytes(32) + s.to_bytes(32)
        return {
            "HTTP_X_COMPANION_KEY": self.key_id,
            "HTTP_X_COMPANION_TIME": stamp,
            "HTTP_X_COMPANION_SIGNATURE": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        }

    def state(self, **kwargs):
        return self.client.get(
            "/companion/api/state", **self.sign("GET", "/companion/api/state", **kwargs)
        )

    def post(self, name, data, **kwargs):
        path = f"/companion/api/{name}"
        body = json.dumps(data).encode()
        return self.client.post(
            path, body, content_type="application/json", **self.sign("POST", path, body, **kwargs)
        )


def password_step(client, user):
    return client.post(LOGIN, {"email": user.email, "password": PASSWORD})


def pair(client, phone, user):
    phrase = phone.enroll()
    password_step(client, user)
    response = client.post(reverse("companion:pair"), {"phrase": phrase.upper()})
    assert response.url == reverse("companion:pair_wait")
    assert phone.state().json() == {
        "state": "confirm",
        "account": f"{user.full_name} <{user.email}>",
    }
    assert phone.post("confirm", {}).json()["state"] == "paired"
    return client.get(reverse("companion:pair_wait"))


def approval_page(client, user):
    """The code step sends a user with a paired app to the app's approval page first."""
    password_step(client, user)
    page = client.get(VERIFY, follow=True)
    assert page.redirect_chain == [(reverse("companion:approve"), 302)]
    assert page.status_code == 200
    return page.context["approval"]
