"""Reads for the case pages: the case form's lists (the catalogue with a company's
subscriptions) and the Chatter thread."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from accounts.models import Company, ServiceSubscription, User
from cases.fields import as_id, has_control_characters, raw_ids, raw_value
from cases.models import Attachment, Case, Message
from catalog import selectors
from catalog.models import MainContent, Product, ProductGroup, Service

# The 商品ID box suggests this many products at most, and the list under it (without
# JavaScript) offers as many: more is a list to scroll, not a search.
PRODUCTS_LISTED = 20
# What a post in the Chatter shows (cases/_message.html): of its author, the name only; the
# rest of the user row (the password hash among it) costs a third of a thread's query.
MESSAGE_SHOWN = (
    "id",
    "case_id",
    "author_id",
    "by_operator",
    "is_internal",
    "created_at",
    "body",
    "body_html",
    "post_id",
    "author__full_name",
)


def thread(case: Case, user: User) -> QuerySet[Message]:
    """The case's messages `user` may read, with what the thread shows of each."""
    return Message.objects.thread(case, user).only(*MESSAGE_SHOWN)


def thread_page(case: Case, user: User, *, before: int | None) -> tuple[list[Message], bool]:
    """A page of the thread as `user` may read it, newest first: the newest messages, or those
    before message `before`; and whether older ones are left. The portal and the admin page
    it alike."""
    messages = thread(case, user)
    if before is not None:
        messages = messages.filter(pk__lt=before)
    size = settings.CHATTER_PAGE_SIZE
    newest_first = list(messages.order_by("-id")[: size + 1])
    return newest_first[:size], len(newest_first) > size


# The Attachments tab and the admin's case page list the newest files, all of them on demand:
# each row costs a link, a size and a date to render, a hundred of them more than the page.
ATTACHMENTS_SHOWN = 20


def attachments(case: Case) -> QuerySet[Attachment]:
    """The case's files as its Attachments tab lists them: of the uploader, the name only."""
    shown = ("id", "case_id", "name", "stored_name", "size", "sha256", "by_operator", "created_at")
    preview = ("kind", "preview_state", "preview_refusal")  # cases/_attachment_preview.html
    return case.attachments.select_related("uploaded_by").only(
        *shown, *preview, "uploaded_by_id", "uploaded_by__full_name"
    )


def attachments_page(case: Case, *, every: bool) -> dict[str, Any]:
    """The Attachments tab's files, oldest first: the newest ATTACHMENTS_SHOWN, or every one
    when asked; `more_attachments` when some are left out. One query."""
    if every:
        return {"attachments": list(attachments(case)), "more_attachments": False}
    newest = list(attachments(case).order_by("-id")[: ATTACHMENTS_SHOWN + 1])
    return {
        "attachments": newest[:ATTACHMENTS_SHOWN][::-1],
        "more_attachments": len(newest) > ATTACHMENTS_SHOWN,
    }


class CasesByPriority:
    """A filtered case list in the order of `cases.filters.SORTS["priority"]` (the priority's
    rank, then the most recently updated first), for a Paginator, read from the index on
    (company, priority, updated_at) instead of sorting every case: the priorities are a few
    and their rank is the catalogue's (the process's copy), so one GROUP BY counts each
    priority's cases, and a page is the slices of the priority groups it spans, each an index
    range, fetched in one query and put in order here.

    A priority the process's copy does not know yet (added in the last seconds) has no rank:
    then the list is the plain ORDER BY."""

    GROUP_ORDER = ("-updated_at", "-id")

    def __init__(self, cases: QuerySet[Case], *, descending: bool = False):
        self.cases = cases.order_by()
        self.descending = descending
        self._groups: list[tuple[int, int]] | None = None
        self._grouped = False  # _groups holds the answer, None included
        self._count: int | None = None

    def _ranked_groups(self) -> list[tuple[int, int]] | None:
        """(priority id, number of cases) in list order, or None when a rank is unknown."""
        if not self._grouped:
            counts = dict(self.cases.values_list("priority_id").annotate(n=Count("id")).order_by())
            ranked = [pk for pk, _name in selectors.every_priority_choices() if pk in counts]
            if self.descending:
                ranked.reverse()
            if len(ranked) == len(counts):
                self._groups = [(pk, counts[pk]) for pk in ranked]
            self._grouped = True
        return self._groups

    def count(self) -> int:
        if self._count is None:
            groups = self._ranked_groups()
            self._count = self._plain().count() if groups is None else sum(n for _pk, n in groups)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def _plain(self) -> QuerySet[Case]:
        rank = "-priority__position" if self.descending else "priority__position"
        priority = "-priority_id" if self.descending else "priority_id"
        return self.cases.order_by(rank, priority, *self.GROUP_ORDER)

    def __getitem__(self, index: slice) -> list[Case]:
        if not isinstance(index, slice):
            raise TypeError("CasesByPriority is read a page at a time")
        start, stop, _step = index.indices(self.count())
        groups = self._ranked_groups()
        if groups is None:
            return list(self._plain()[start:stop])
        spans = Q()
        first = 0  # the list position of the group's first case
        for pk, n in groups:
            low, high = max(start - first, 0), min(stop - first, n)
            if low < high:
                window = self.cases.filter(priority_id=pk).order_by(*self.GROUP_ORDER)
                spans |= Q(pk__in=window.values("pk")[low:high])
            first += n
        if not spans:
            return []
        rows = sorted(self.cases.filter(spans), key=lambda c: (c.updated_at, c.pk), reverse=True)
        rank = {pk: position for position, (pk, _n) in enumerate(groups)}
        return sorted(rows, key=lambda c: rank[c.priority_id])


@dataclass(frozen=True)
class CaseFormChoices:
    """What the case form offers for one request: the parents chosen so far (None when none
    or not on offer) and, per form field, the list it may choose from."""

    service: Service | None
    product: Product | None
    main_content: MainContent | None
    product_group: ProductGroup | None
    querysets: dict[str, QuerySet]


def case_form_choices(company: Company, today: dt.date, raw: Mapping[str, Any]) -> CaseFormChoices:
    """The case form's lists narrowed by what was chosen in `raw` (submitted, partial or
    initial data, not validated yet): the services of the company's usable subscriptions
    today, the products matching the search box, the versions and systems of the chosen
    product, the problems of the chosen main content, the products of the chosen group.

    A parent is read as `as_id` reads it and only from its own list, so a forged id narrows
    nothing. One query per chosen parent; the product search reads the process's copy of
    the catalogue; the lists themselves are lazy, so the count does not grow with it.
    """
    services = selectors.services_of(
        ServiceSubscription.objects.filter(company=company).usable(today)
    )
    service = _chosen(services, raw, "service")
    product = _chosen(selectors.products_in_group(None), raw, "product")
    product_choices = _product_choices(raw, product)
    main_contents = selectors.main_contents()
    main_content = _chosen(main_contents, raw, "main_content")
    groups = selectors.product_groups()
    group = _chosen(groups, raw, "product_group")
    # Ticked products stay listed (and ticked) when the group filter changes.
    ticked = selectors.products_by_id(raw_ids(raw, "products"), active_only=True)
    return CaseFormChoices(
        service=service,
        product=product,
        main_content=main_content,
        product_group=group,
        querysets={
            "service": services,
            "product": product_choices,
            "product_version": selectors.product_versions(product),
            "operating_system": selectors.product_operating_systems(product),
            "product_group": groups,
            "products": selectors.products_in_group(group) | ticked,
            "main_content": main_contents,
            "problem": selectors.problems_of(main_content),
            "priority": selectors.priorities(),
        },
    )


class ProductLists(NamedTuple):
    """The guide's dual list: 「使用可能な製品」 and 「選択した製品」."""

    available: list[Product]
    selected: list[Product]


def dual_list(products: Iterable[Product], chosen: set[int]) -> ProductLists:
    """`products` split into those not chosen and those chosen (ids in `chosen`), each in
    alphabetical order as the guide shows them."""
    available: list[Product] = []
    selected: list[Product] = []
    for product in products:
        (selected if product.pk in chosen else available).append(product)
    return ProductLists(alphabetical(available), alphabetical(selected))


def alphabetical(products: Iterable[Product]) -> list[Product]:
    """Products by name as the reader sees it (the request's language), ignoring case; equal
    names keep the order they came in (menu order)."""
    return sorted(products, key=lambda product: product.name.casefold())


def _chosen(queryset: QuerySet, raw: Mapping[str, Any], name: str):
    pk = as_id(raw_value(raw, name))
    return None if pk is None else queryset.filter(pk=pk).first()


def _product_choices(raw: Mapping[str, Any], product: Product | None) -> QuerySet[Product]:
    """The product list under the search box: its suggestions (product_suggestions), plus
    the product already chosen."""
    ids = [p.pk for p in product_suggestions(raw_value(raw, "product_query")).products]
    if product is not None and product.pk not in ids:
        ids.append(product.pk)
    return selectors.products_in_order(ids)


def _search_term(value) -> str:
    # Unvalidated yet: a term with control characters (NUL) is read as none.
    term = str(value or "").strip()
    return "" if has_control_characters(term) else term


class ProductSuggestions(NamedTuple):
    """What the 商品ID box offers under what was typed: the first matches and how many match."""

    products: list[Product]
    matching: int


def product_suggestions(term) -> ProductSuggestions:
    """The suggestions of the 商品ID box for `term` (catalog.selectors.product_search, every
    product for a blank one), the first PRODUCTS_LISTED of them: no query once the process's
    copy of the catalogue is read."""
    found = selectors.product_search(_search_term(term))
    return ProductSuggestions(found[:PRODUCTS_LISTED], len(found))
