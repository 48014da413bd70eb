import yaml
from django.conf import settings
from django.db import migrations, models


def fill_readings(apps, schema_editor):
    """A catalogue loaded before this field gets the readings of the fixtures, by code:
    `load_catalogue --if-empty` (what a deployment runs) leaves a loaded catalogue alone, and
    a reload would undo operators' edits."""
    Product = apps.get_model("catalog", "Product")
    path = settings.CATALOGUE_FIXTURES_DIR / "catalog_products.yaml"
    if not Product.objects.exists() or not path.is_file():
        return
    readings = {
        entry["fields"]["code"]: entry["fields"].get("reading_ja", "")
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if entry.get("model") == "catalog.product"
    }
    for product in Product.objects.filter(code__in=readings):
        product.reading_ja = readings[product.code]
        product.save(update_fields=["reading_ja"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="reading_ja",
            field=models.CharField(
                blank=True,
                help_text=(
                    "The name as it is read, in katakana, for the product search, "
                    "e.g. イーセット エンドポイント セキュリティ."
                ),
                max_length=300,
                verbose_name="Japanese reading",
            ),
        ),
        migrations.RunPython(fill_readings, migrations.RunPython.noop),
    ]
