"""The Japanese glossary (docs/glossary-ja.md) holds: no word of its 「使わない語」 column appears
in the Japanese catalogue, the Japanese text of the templates, or the catalogue's Japanese names."""

import re
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.helpers import CHECKOUT, needs_checkout

GLOSSARY = CHECKOUT / "docs" / "glossary-ja.md"
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "ja" / "LC_MESSAGES" / "django.po"
BACKTICKED = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Term:
    english: str
    use: tuple[str, ...]
    avoid: tuple[str, ...]


def glossary_terms(markdown: str) -> list[Term]:
    """The rows of the table under "## Terms": English | 使う語 | 使わない語 | Notes."""
    section = markdown.split("## Terms", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    terms = []
    for row in rows[2:]:  # the header and its |---| line
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        english, use, avoid = cells[0], cells[1], cells[2]
        terms.append(
            Term(english, tuple(BACKTICKED.findall(use)), tuple(BACKTICKED.findall(avoid)))
        )
    return terms


def misuses(text: str, term: Term) -> list[str]:
    """Each word to avoid found in `text`, unless it lies inside one of the words to use
    (ユーザ inside ユーザー, 商品 inside 商品ID)."""
    allowed = [
        range(found.start(), found.end())
        for word in term.use
        for found in re.finditer(re.escape(word), text)
    ]
    return [
        found.group()
        for word in term.avoid
        for found in re.finditer(re.escape(word), text)
        if not any(found.start() in span and found.end() - 1 in span for span in allowed)
    ]


def japanese_texts():
    """(where, text) of every Japanese string a reader can meet: catalogue msgstrs, and the
    Japanese written straight into templates and catalogue fixtures."""
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete:
            continue
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text:
                yield f"msgstr of {entry.msgid!r}", text
    sources = [
        *CHECKOUT.glob("*/templates/**/*.html"),
        *CHECKOUT.glob("*/templates/**/*.txt"),
        *CHECKOUT.glob("*/fixtures/*.yaml"),
    ]
    for path in sources:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", line):
                yield f"{path.relative_to(CHECKOUT)}:{number}", line


@pytest.fixture(scope="module")
def terms():
    return glossary_terms(GLOSSARY.read_text(encoding="utf-8"))


@needs_checkout("the glossary is a document of the checkout")
def test_it_reads_the_glossary_table(terms):
    by_english = {term.english: term for term in terms}
    assert by_english["log in, sign in"] == Term(
        "log in, sign in", ("ログイン",), ("サインイン", "ログオン", "サインオン")
    )
    assert by_english["browser"].use == ("ブラウザ",)
    assert by_english["customer (the reader's side)"].avoid == ("お客様",)
    assert len(terms) >= 30 and all(term.use for term in terms)


@needs_checkout("the glossary is a document of the checkout")
def test_it_has_one_word_per_term(terms):
    """A word to use is never a word to avoid elsewhere: the table cannot contradict itself."""
    used = {word for term in terms for word in term.use}
    avoided = {word for term in terms for word in term.avoid}
    assert used & avoided == set()


def test_it_allows_a_word_to_avoid_only_inside_a_word_to_use():
    user = Term("user", ("ユーザー",), ("ユーザ",))
    assert misuses("ユーザーメニュー", user) == []
    assert misuses("ユーザ名とユーザー", user) == ["ユーザ"]
    browser = Term("browser", ("ブラウザ",), ("ブラウザー",))
    assert misuses("ブラウザで開く", browser) == []
    assert misuses("ブラウザーで開く", browser) == ["ブラウザー"]
    product = Term("product", ("製品", "商品ID"), ("商品",))
    assert misuses("商品IDと製品", product) == []
    assert misuses("商品を選択", product) == ["商品"]


@needs_checkout("the glossary is a document of the checkout")
def test_it_finds_no_word_to_avoid_in_the_japanese_interface(terms):
    found = [
        f"{where}: {word} ({term.english}: use {' / '.join(term.use)})"
        for where, text in japanese_texts()
        for term in terms
        for word in misuses(text, term)
    ]
    assert found == [], "\n".join(found)
