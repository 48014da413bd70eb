import django.core.validators
from django.db import migrations, models
from django.db.models import F, Q


def same_as_first(apps, schema_editor):
    # Placeholders, as the first-response targets are: operators set the real ones.
    apps.get_model("catalog", "ResponseTarget").objects.update(next_minutes=F("minutes"))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_product_reading_ja"),
    ]

    operations = [
        migrations.AlterField(
            model_name="responsetarget",
            name="minutes",
            field=models.PositiveIntegerField(
                validators=[django.core.validators.MaxValueValidator(100000)],
                verbose_name="first response within (business minutes)",
            ),
        ),
        migrations.AddField(
            model_name="responsetarget",
            name="next_minutes",
            field=models.PositiveIntegerField(
                null=True, verbose_name="next response within (business minutes)"
            ),
        ),
        migrations.RunPython(same_as_first, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="responsetarget",
            name="next_minutes",
            field=models.PositiveIntegerField(
                validators=[django.core.validators.MaxValueValidator(100000)],
                verbose_name="next response within (business minutes)",
            ),
        ),
        migrations.AddConstraint(
            model_name="responsetarget",
            constraint=models.CheckConstraint(
                condition=Q(next_minutes__gt=0),
                name="catalog_responsetarget_next_positive",
                violation_error_message="A response target must be at least one minute.",
            ),
        ),
    ]
