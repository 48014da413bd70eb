"""Read API of the catalogue for the case form: the only place forms and views query it.

Everything here offers active entries only; old cases read their (possibly inactive) entries
through their own foreign keys.
"""

import unicodedata

from django.db.models import Q, QuerySet

from catalog.models import (
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

SEARCH_MAX_WORDS = 5
SEARCH_MAX_LENGTH = 100


def services_for_plan(plan: ContractPlan) -> QuerySet[Service]:
    """The services a company on this contract plan may choose, in menu order."""
    if not plan.active:
        return Service.objects.none()
    return plan.services.active().order_by("position", "id")


def product_versions(product: Product) -> QuerySet[ProductVersion]:
    return product.versions.active().order_by("position", "id")


def product_operating_systems(product: Product) -> QuerySet[OperatingSystem]:
    return product.operating_systems.active().order_by("position", "id")


def main_contents() -> QuerySet[MainContent]:
    return MainContent.objects.active()


def problems_of(main_content: MainContent) -> QuerySet[Problem]:
    return main_content.problems.active().order_by("position", "id")


def priorities() -> QuerySet[Priority]:
    return Priority.objects.active()


def default_priority() -> Priority | None:
    return Priority.objects.active().filter(is_default=True).first()


def stages_of(service: Service) -> QuerySet[Stage]:
    return service.stages.active().order_by("position", "id")


def response_target_minutes(service: Service, priority: Priority) -> int | None:
    target = ResponseTarget.objects.filter(service=service, priority=priority).first()
    return target.minutes if target else None


def product_groups() -> QuerySet[ProductGroup]:
    return ProductGroup.objects.active()


def products_in_group(group: ProductGroup | None) -> QuerySet[Product]:
    """Active products of a group; of every active group when `group` is None ("All")."""
    products = Product.objects.active().filter(group__active=True)
    if group is not None:
        products = products.filter(group=group)
    return products.order_by("position", "id")


def product_search(term: str, *, limit: int = 20) -> QuerySet[Product]:
    """Active products whose Japanese or English name holds every word of `term`, any case.

    The term is NFKC-normalised first: full-width letters typed with a Japanese IME find ESET.
    """
    words = unicodedata.normalize("NFKC", term[:SEARCH_MAX_LENGTH]).split()[:SEARCH_MAX_WORDS]
    if not words:
        return Product.objects.none()
    products = Product.objects.active().filter(group__active=True)
    for word in words:
        products = products.filter(Q(name_en__icontains=word) | Q(name_ja__icontains=word))
    return products.order_by("position", "id")[:limit]
