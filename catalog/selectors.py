"""Read API of the catalogue for the case form: the only place forms and views query it.

Everything here offers active entries only, except `service_by_code` and the lists of the case
list's filters (`services_of_company_plan`, `every_*`); old cases read their (possibly
inactive) entries through their own foreign keys. What every page reads alike (stages,
response targets, the default priority, the priority filter's list) comes from the process's
copy (catalog/cache.py): objects to read, not change.
"""

import re
from collections import defaultdict

from django.db.models import Case, QuerySet, Value, When

from catalog import search
from catalog.cache import cached
from catalog.models import (
    CODE_PATTERN,
    ContractPlan,
    MainContent,
    OperatingSystem,
    Priority,
    Problem,
    Product,
    ProductGroup,
    ProductVersion,
    ResponseTarget,
    Service,
    Stage,
)

CODE_MAX_LENGTH = 64


def services_for_plan(plan: ContractPlan) -> QuerySet[Service]:
    """The services a company on this contract plan may choose, in menu order."""
    if not plan.active:
        return Service.objects.none()
    return plan.services.active().order_by("position", "id")


def services_of(subscriptions: QuerySet) -> QuerySet[Service]:
    """The services these subscriptions are for, in menu order (one query, when evaluated)."""
    return Service.objects.filter(pk__in=subscriptions.values("service")).order_by("position", "id")


def service_by_code(code: str) -> Service | None:
    """The service of a code from a link (active or not), or None for anything not a code."""
    if len(code) > CODE_MAX_LENGTH or not re.fullmatch(CODE_PATTERN, code):
        return None
    return _every_service_kept().get(code)


def no_services() -> QuerySet[Service]:
    """No service: a list filled per request (`services_of_company_plan`)."""
    return Service.objects.none()


def services_of_company_plan(company_id: int | None) -> QuerySet[Service]:
    """The services of a company's contract plan, inactive ones too (its old cases), in menu
    order: the case list's service filter."""
    return Service.objects.filter(plans__companies=company_id).order_by("position", "id")


def every_priority() -> QuerySet[Priority]:
    """Every priority, inactive ones too: the case list filters old cases as well."""
    return Priority.objects.all()


def every_priority_choices() -> list[tuple[int, str]]:
    """(id, name) of `every_priority()` in menu order, names in the request's language, from
    the process's copy: a filter's list, whose chosen value `every_priority()` validates."""
    kept = cached("priorities", lambda: list(Priority.objects.all()))
    return [(priority.pk, priority.name) for priority in kept]


def _every_service_kept() -> dict[str, Service]:
    return cached("services", lambda: {s.code: s for s in Service.objects.all()})


def product_versions(product: Product | None) -> QuerySet[ProductVersion]:
    """The versions of a product; none while no product is chosen."""
    if product is None:
        return ProductVersion.objects.none()
    return product.versions.active().order_by("position", "id")


def product_operating_systems(product: Product | None) -> QuerySet[OperatingSystem]:
    """The systems a product runs on; none while no product is chosen."""
    if product is None:
        return OperatingSystem.objects.none()
    return product.operating_systems.active().order_by("position", "id")


def runs_on(product: Product, system: OperatingSystem) -> bool:
    """Whether the product is listed for that OS."""
    return product.operating_systems.filter(pk=system.pk).exists()


def main_contents() -> QuerySet[MainContent]:
    return MainContent.objects.active()


def problems_of(main_content: MainContent | None) -> QuerySet[Problem]:
    """The problems of a main content; none while no main content is chosen."""
    if main_content is None:
        return Problem.objects.none()
    return main_content.problems.active().order_by("position", "id")


def priorities() -> QuerySet[Priority]:
    return Priority.objects.active()


def default_priority() -> Priority | None:
    return cached(
        "default_priority", lambda: Priority.objects.active().filter(is_default=True).first()
    )


def stages_of(service: Service | int) -> list[Stage]:
    """The active stages of a service (or of the service of that id: a poll loads none of its
    case's relations) in order; none for a service not delivered in stages."""
    return _active_stages().get(service if isinstance(service, int) else service.pk, [])


def _active_stages() -> dict[int, list[Stage]]:
    def load():
        stages = defaultdict(list)
        for stage in Stage.objects.active().order_by("position", "id"):
            stages[stage.service_id].append(stage)
        return dict(stages)

    return cached("stages", load)


def response_targets(service: Service, priority: Priority) -> tuple[int, int] | None:
    """(first, next) response targets in business minutes; None without a target."""
    targets = cached(
        "response_targets",
        lambda: {
            (service_id, priority_id): (minutes, next_minutes)
            for service_id, priority_id, minutes, next_minutes in (
                ResponseTarget.objects.values_list(
                    "service_id", "priority_id", "minutes", "next_minutes"
                )
            )
        },
    )
    return targets.get((service.pk, priority.pk))


def response_target_minutes(service: Service, priority: Priority) -> int | None:
    """The first-response target in business minutes."""
    targets = response_targets(service, priority)
    return targets[0] if targets else None


def product_groups() -> QuerySet[ProductGroup]:
    return ProductGroup.objects.active()


def products_in_group(group: ProductGroup | None) -> QuerySet[Product]:
    """Active products of a group; of every active group when `group` is None ("All")."""
    products = Product.objects.active().filter(group__active=True)
    if group is not None:
        products = products.filter(group=group)
    return products.order_by("position", "id")


def products_by_id(ids: list[int], *, active_only: bool = False) -> QuerySet[Product]:
    """The products of these ids (only those on offer, active in an active group, if asked),
    in menu order."""
    products = Product.objects.filter(pk__in=ids)
    if active_only:
        # As products_in_group: a product of a withdrawn group is withdrawn with it.
        products = products.active().filter(group__active=True)
    return products.order_by("position", "id")


def product_search(term: str) -> list[Product]:
    """Active products with every word of `term` in a name or the Japanese reading, whatever
    the width, case or kana (catalog/search.py): those whose name starts with the term first,
    then by name; every one, by name, for a blank term. From the process's copy: no query
    once it is read."""
    return search.matches(_product_index(), term)


def _product_index() -> list[search.Indexed]:
    return cached("product_index", lambda: search.index(products_in_group(None)))


def products_in_order(ids: list[int]) -> QuerySet[Product]:
    """The products of these ids in the order of `ids` (a search's), for a form's list."""
    rank = Case(*(When(pk=pk, then=Value(n)) for n, pk in enumerate(ids)), default=Value(len(ids)))
    return Product.objects.filter(pk__in=ids).order_by(rank, "id")
