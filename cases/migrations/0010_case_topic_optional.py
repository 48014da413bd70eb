import django.db.models.deletion
from django.db import migrations, models


def fill_topics(apps, schema_editor):
    """Going back to a schema where every case has a main content and a problem: cases filed
    without (the product-group layout) get the catalogue's first problem, so that nothing is
    lost on the way down."""
    Case = apps.get_model("cases", "Case")
    Problem = apps.get_model("catalog", "Problem")
    untyped = Case.objects.filter(models.Q(main_content=None) | models.Q(problem=None))
    if not untyped.exists():
        return
    problem = Problem.objects.order_by("main_content__position", "position", "id").first()
    if problem is None:
        raise RuntimeError("Cases without a main content need a problem in the catalogue.")
    untyped.update(main_content_id=problem.main_content_id, problem_id=problem.pk)
    if schema_editor.connection.vendor == "postgresql":
        # The foreign keys' checks are deferred: run them now, or PostgreSQL refuses to alter
        # the table in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    """The guide's product-group screen asks for no main content or problem."""

    dependencies = [
        ("cases", "0009_case_statuses_reached"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="main_content",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="catalog.maincontent",
                verbose_name="main content",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="problem",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="catalog.problem",
                verbose_name="problem",
            ),
        ),
        # Last, so that going back fills the rows before the columns refuse NULL again.
        migrations.RunPython(migrations.RunPython.noop, fill_topics),
    ]
