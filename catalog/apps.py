from django.apps import AppConfig
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"
    verbose_name = _("Catalogue")

    def ready(self):
        # Every way the catalogue changes makes this process forget the lists it keeps
        # (catalog/cache.py); CatalogQuerySet.update, which sends no signal, does it itself.
        from catalog import cache
        from catalog.models import ContractPlan, Product

        for model in self.get_models():
            signals.post_save.connect(cache.forget, sender=model, dispatch_uid="catalog.cache")
            signals.post_delete.connect(cache.forget, sender=model, dispatch_uid="catalog.cache")
        for through in (ContractPlan.services.through, Product.operating_systems.through):
            signals.m2m_changed.connect(cache.forget, sender=through, dispatch_uid="catalog.cache")
        signals.post_migrate.connect(cache.forget, dispatch_uid="catalog.cache")
