"""Japanese and English catalogues: complete, compiled, and covering every string in the code."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.helpers import needs_checkout, subprocess_env

ROOT = Path(__file__).resolve().parent.parent
# The catalogues the running code reads: the checkout's, or the installed package's.
LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["ja", "en"]


def catalogue(language):
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_has_a_complete_catalogue(language):
    po = catalogue(language)
    assert len(po) > 0
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_commits_the_compiled_catalogue_matching_its_source(language):
    mo_path = LOCALE / language / "LC_MESSAGES" / "django.mo"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue(language).translated_entries():
        if entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        assert compiled._catalog.get(key) == entry.msgstr, entry.msgid


@needs_checkout("makemessages reads the source tree and manage.py")
def test_it_translates_every_string_the_code_marks(tmp_path):
    """Extract the strings again with makemessages and compare them with the committed ones."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext is missing: install Debian's gettext package (make test does).")
    ignore = shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*.mo", "tests")
    shutil.copytree(ROOT, tmp_path / "tree", ignore=ignore)
    tree = tmp_path / "tree"
    shutil.rmtree(tree / "hub" / "locale")
    (tree / "hub" / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "ja", "--no-location"],
        cwd=tree,
        # The copy has no var/ and so no local key; makemessages signs nothing.
        env=subprocess_env(VAR_DIR=str(tmp_path / "var"), SECRET_KEY="makemessages-" + "k" * 50),
        check=True,
        capture_output=True,
    )
    extracted = {e.msgid for e in polib.pofile(str(tree / "hub/locale/ja/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in catalogue("ja")}
    assert sorted(extracted - committed) == [], "run `make messages` and translate"


def test_it_says_in_english_exactly_what_the_code_says():
    """The English catalogue repeats the source strings: an entry that says something else is
    a guess msgmerge once made from a similar string ("main content" → "Skip to main content")
    that slipped in unnoticed."""
    differing = [
        entry.msgid
        for entry in catalogue("en")
        if (entry.msgid_plural and entry.msgstr_plural != {0: entry.msgid, 1: entry.msgid_plural})
        or (not entry.msgid_plural and entry.msgstr != entry.msgid)
    ]
    assert differing == []
