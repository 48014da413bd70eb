"""The access table (`access_expectations.py`) covers every URL, persona, method and admin model.

The sweep that checks each of its answers is test_access_matrix.py.
"""

from django.contrib import admin

from tests.security import access_expectations as table
from tests.security.urlconf import named_urls, walk

# URL patterns without a name, each known: the matrix reaches URLs by name.
UNNAMED = {
    "favicon.ico",  # a permanent redirect to a static file
    "admin/(?P<url>.*)$",  # the admin's catch-all: 404, or the login page when signed out
}
# The admin's old-style "<id>/" address of a change page, a redirect to "<id>/change/".
UNNAMED_ADMIN_REDIRECT = "/<path:object_id>/"


def test_it_has_a_row_for_every_named_url():
    found = named_urls()
    missing = sorted(found - set(table.EXPECTED))
    stale = sorted(set(table.EXPECTED) - found)
    assert not missing, (
        "URLs without a row in tests/security/access_expectations.py (decide who may reach "
        f"them and add a row): {missing}"
    )
    assert not stale, f"rows for URLs that no longer exist: {stale}"


def test_it_knows_every_url_without_a_name():
    unnamed = {
        pattern
        for name, pattern in walk()
        if name is None and not pattern.endswith(UNNAMED_ADMIN_REDIRECT)
    }
    assert unnamed == UNNAMED, "name the new URL and give it a row in access_expectations.py"


def test_it_has_an_answer_for_every_persona_and_method():
    for name, row in table.EXPECTED.items():
        assert set(row) == set(table.PERSONAS), name
        assert all(len(pair) == 2 for pair in row.values()), name


def test_it_covers_every_model_of_the_admin_site():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(table.ADMIN_MODELS), "say what operators may do in ADMIN_MODELS"
