"""The product search of the case form's 商品ID box: a part of a name, in English or in
Japanese (katakana or hiragana), whatever its width and case.

It runs in Python over the process's copy of the active products (catalog/cache.py), not in
SQL: the box asks on every pause in typing, so a suggestion costs no query once the copy is
read; and the comparison (NFKC, casefold, hiragana as katakana) is the same on SQLite and
PostgreSQL, whose LIKE and UPPER would each fold differently. A catalogue is tens of
products, hundreds at most: scanning their keys costs less than rendering the answer.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import get_language, override

from catalog.models import Product

SEARCH_MAX_WORDS = 5
SEARCH_MAX_LENGTH = 100
# Hiragana typed with an IME finds the katakana of a reading: ぁ..ゖ and ゝゞ are katakana's
# code points less 0x60.
_KATAKANA = str.maketrans({code: code + 0x60 for code in [*range(0x3041, 0x3097), 0x309D, 0x309E]})
# Ignored inside a word and between words: spaces, hyphens and dashes, the middle dot, and the
# long-vowel mark (people type セキュリティ and セキュリティー, サーバ and サーバー alike).
_IGNORED = str.maketrans(dict.fromkeys(" \t-‐‑‒–—―−・ー", None))


def search_key(text: str) -> str:
    """`text` as searches compare it: NFKC (full-width ＥＳＥＴ and half-width ｴﾝﾄﾞ become
    ESET and エンド), casefolded, hiragana as katakana."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_KATAKANA)


def compact(key: str) -> str:
    return key.translate(_IGNORED)


def query_words(term: str) -> list[str]:
    """The words of a typed term, as keys; none for a blank term."""
    words = search_key(term[:SEARCH_MAX_LENGTH]).split()[:SEARCH_MAX_WORDS]
    return [word for word in (compact(w) for w in words) if word]


@dataclass(frozen=True)
class Indexed:
    """A product with what a search compares (its names and reading, compacted, and joined)
    and the name each language sorts it by (asking the language per product costs more than
    the whole search)."""

    product: Product
    text: str
    names: tuple[str, ...]
    sort_ja: str
    sort_en: str

    @classmethod
    def of(cls, product: Product, *, sort_ja: str, sort_en: str) -> "Indexed":
        names = tuple(
            compact(search_key(name))
            for name in (product.name_en, product.name_ja, product.reading_ja)
            if name
        )
        return cls(product, "\n".join(names), names, sort_ja, sort_en)


def index(products: Iterable[Product]) -> list[Indexed]:
    """`products`, in their order, ready to be searched (the process keeps this list)."""
    products = list(products)
    sort_names = {}
    for language in ("ja", "en"):
        with override(language):  # Entry.name's choice of name in each language
            sort_names[language] = [product.name.casefold() for product in products]
    return [
        Indexed.of(product, sort_ja=ja, sort_en=en)
        for product, ja, en in zip(products, sort_names["ja"], sort_names["en"], strict=True)
    ]


def matches(indexed: list[Indexed], term: str) -> list[Product]:
    """The products holding every word of `term` in one of their names or their reading:
    those with a name that starts with the whole term first, then by name as the reader sees
    it (the request's language), ignoring case. Every product for a blank term, by name."""
    words = query_words(term)
    whole = "".join(words)
    japanese = (get_language() or "").startswith("ja")  # as Entry.name reads it
    found = [entry for entry in indexed if all(word in entry.text for word in words)]
    found.sort(
        key=lambda entry: (
            not any(name.startswith(whole) for name in entry.names),
            entry.sort_ja if japanese else entry.sort_en,
        )
    )
    return [entry.product for entry in found]
