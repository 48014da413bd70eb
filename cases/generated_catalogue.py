"""The catalogue as the data generator draws from it (cases.generated_build)."""

from dataclasses import dataclass

from catalog.models import (
    ContractPlan,
    MainContent,
    OperatingSystem,
    Priority,
    Problem,
    Product,
    ProductGroup,
    ProductVersion,
    Service,
    Stage,
)

# Most cases are filed as normal, few as critical; a priority the fixtures do not name is rare.
PRIORITY_WEIGHTS = {"normal": 70, "serious": 22, "critical": 8}


@dataclass
class Catalogue:
    """The active catalogue, each list ordered by code (never by id) so that a seed picks the
    same entries in every database."""

    plans: list[tuple[ContractPlan, list[Service]]]
    stages: dict[int, list[Stage]]
    products: list[tuple[Product, list[ProductVersion], list[OperatingSystem]]]
    groups: list[tuple[ProductGroup, list[Product]]]
    topics: list[tuple[MainContent, list[Problem]]]
    priorities: list[Priority]
    priority_weights: list[int]

    @classmethod
    def load(cls) -> "Catalogue":
        services = Service.objects.active().order_by("code")
        plans = [
            (plan, list(services.filter(plans=plan)))
            for plan in ContractPlan.objects.active().order_by("code")
        ]
        stages: dict[int, list[Stage]] = {}
        for stage in Stage.objects.active().order_by("service__code", "position", "code"):
            stages.setdefault(stage.service_id, []).append(stage)
        versions: dict[int, list[ProductVersion]] = {}
        for version in ProductVersion.objects.active().order_by("product__code", "position"):
            versions.setdefault(version.product_id, []).append(version)
        systems: dict[int, list[OperatingSystem]] = {}
        runs_on = Product.operating_systems.through.objects.filter(operatingsystem__active=True)
        by_code = runs_on.order_by("operatingsystem__code").select_related("operatingsystem")
        for link in by_code:
            systems.setdefault(link.product_id, []).append(link.operatingsystem)
        products = list(Product.objects.active().order_by("code"))
        groups = [
            (group, [product for product in products if product.group_id == group.pk])
            for group in ProductGroup.objects.active().order_by("code")
        ]
        topics = [
            (main, list(main.problems.active().order_by("code")))
            for main in MainContent.objects.active().order_by("code")
        ]
        priorities = list(Priority.objects.active().order_by("code"))
        return cls(
            plans=[(plan, offered) for plan, offered in plans if offered],
            stages=stages,
            products=[
                (product, versions[product.pk], systems[product.pk])
                for product in products
                if versions.get(product.pk) and systems.get(product.pk)
            ],
            groups=[(group, members) for group, members in groups if members],
            topics=[(main, problems) for main, problems in topics if problems],
            priorities=priorities,
            priority_weights=[PRIORITY_WEIGHTS.get(p.code, 5) for p in priorities],
        )

    def problems(self) -> list[str]:
        missing = [
            name
            for name, entries in [
                ("contract plans with services", self.plans),
                ("products with versions and operating systems", self.products),
                ("product groups with products", self.groups),
                ("main contents with problems", self.topics),
                ("priorities", self.priorities),
            ]
            if not entries
        ]
        return [f"the catalogue has no active {name}" for name in missing]
