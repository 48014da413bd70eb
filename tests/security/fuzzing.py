"""What the fuzz tests (test_fuzz_*.py) send and check: Hypothesis over every form and every
path and query parameter.

Expected everywhere: never a 500; nothing stored that breaks a rule; a refused request stores
nothing at all. The examples of one test share its database transaction, so each one runs in a
savepoint that is rolled back after its checks, and the next starts from the same data.

Strings are sent as the bytes a browser or an attacker could send: lone surrogates as their
(invalid) UTF-8 bytes %ED%A0%80, NUL as %00. Budgets: `budget(n)` examples per test with the
default profile (tests/security/conftest.py), twenty times more with HYPOTHESIS_PROFILE=deep.
"""

import contextlib
import json
import re
from urllib.parse import quote

from django.db import transaction
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st

from accounts.models import Company, Invitation, PasswordReset, User
from cases.fields import BIDI_CONTROLS
from cases.forms import DESCRIPTION_MAX, SUBJECT_MAX
from cases.models import Attachment, Case, Message
from catalog import selectors
from catalog.models import FormLayout


def budget(examples: int) -> settings:
    return settings(max_examples=max(1, examples * settings().max_examples // 100))


# -- what we send ----------------------------------------------------------------------------

NASTY = [
    "\x00",
    "\ud800",  # lone surrogates: sent as their invalid UTF-8 bytes
    "\udfff",
    "\u202e",  # right-to-left override
    "\u200f",
    "\ufeff",
    "\u3000",
    "ｅｓｅｔ",  # full-width look-alikes
    "ЕЅЕТ",  # Cyrillic look-alikes
    "\r\n",
    "\t",
    "'\"",
    "<script>alert(1)</script>",
    "%00",
    "../",
    "\\",
    "١٢٣",  # Arabic-Indic digits
    "１２３",
    "𝟏",
]


any_character = st.characters(codec=None, exclude_categories=())


texts = st.one_of(
    # The characters databases refuse, often enough that every test meets them.
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff"]),
    st.sampled_from(NASTY),
    st.text(any_character, max_size=40),
    st.lists(st.sampled_from(NASTY) | st.text(any_character, max_size=4), max_size=6).map("".join),
    st.builds(
        lambda piece, times: piece * times,
        st.sampled_from(["a", "あ", "\u202e", "\x00", "1"]),
        st.sampled_from([0, 1, 64, 255, 256, 20_000, 20_001]),
    ),
)


ids = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", "0", "-1", "1e3", "0x1", " 1", "1 ", "١", "１", "9" * 19, "1.0"]),
    st.sampled_from([str(2**63), str(2**63 - 1), str(2**64), str(-(2**63) - 1)]),
    texts,
)


SURROGATE = re.compile("[\ud800-\udfff]")


def q(value) -> str:
    """Percent-encoded UTF-8 bytes; a lone surrogate becomes the invalid bytes it stands for."""
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


def encode(data: dict) -> str:
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append(f"{q(key)}={q(item)}")
    return "&".join(pairs)


def get(client, path, params=None, **extra):
    return client.get(f"{path}?{encode(params)}" if params else path, **extra)


def post(client, path, data, *, multipart=False, **extra):
    """URL-encoded bytes; or multipart, as the test client writes it, when it can (it cannot
    write lone surrogates)."""
    if multipart and not SURROGATE.search(json.dumps(data, ensure_ascii=False)):
        return client.post(path, data, **extra)
    return client.post(
        path, encode(data), content_type="application/x-www-form-urlencoded", **extra
    )


# -- what must hold after every example --------------------------------------------------------

COUNTED = (Case, Message, Attachment, User, Invitation, PasswordReset)


def counts() -> dict:
    return {model: model.objects.count() for model in COUNTED}


@contextlib.contextmanager
def example():
    """One example in a savepoint, rolled back once its checks passed."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def served(response):
    assert response.status_code < 500, response.content.decode(errors="replace")[:3000]
    return response


def clean_text(text: str, *, limit: int) -> bool:
    return (
        len(text) <= limit
        and "\x00" not in text
        and not set(text) & BIDI_CONTROLS
        and not SURROGATE.search(text)
    )


def assert_case_keeps_the_rules(case: Case, company: Company) -> None:
    today = timezone.localdate()
    assert re.fullmatch(r"[0-9]{8}", case.number)
    assert case.company_id == company.pk
    assert case.service in selectors.services_for_plan(company.plan)
    assert company.subscriptions.filter(service=case.service).usable(today).exists()
    assert case.priority.active
    assert clean_text(case.subject, limit=SUBJECT_MAX) and case.subject.strip()
    assert clean_text(case.description, limit=DESCRIPTION_MAX) and case.description.strip()
    for value in (case.eset_protect_instance_id, case.eset_inspect_instance_id):
        assert bool(value) == case.service.asks_instance_ids
        assert not value or re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{2,63}", value)
    products = list(case.products.all())
    if case.service.form_layout == FormLayout.PRODUCT_GROUP:
        assert case.product_id is case.product_version_id is case.operating_system_id is None
        assert case.main_content_id is case.problem_id is None
        assert case.priority.is_default
        assert products and all(p.active and p.group.active for p in products)
    else:
        assert case.main_content.active and case.problem.active
        assert case.problem.main_content_id == case.main_content_id
        assert not products and case.product_group_id is None
        assert case.product.active and case.product.group.active
        assert case.product_version.active and case.product_version.product_id == case.product_id
        assert case.operating_system.active
        assert case.product.operating_systems.filter(pk=case.operating_system_id).exists()
    if case.follows_id:
        assert case.follows.company_id == company.pk
