import unicodedata
from collections import defaultdict

from django.db import migrations, models

# What earlier demo resets created (trainer/seed.py at the time), copied: a migration must not
# change when the code does. Nothing else is marked demo, whatever its domain.
DEMO_OPERATORS = ["support@eset.example", "support-en@eset.example"]
DEMO_DOMAINS = ["@sample-shoji.example", "@demo-kogyo.example", "@training.example"]
DEMO_COMPANIES = ["サンプル商事株式会社", "デモ工業株式会社"]
TRAINING_COMPANY = "研修用株式会社 (Training Co.)"


def canonical(email):
    return unicodedata.normalize("NFKC", email).strip().lower()


def canonical_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    groups = defaultdict(list)
    for pk, email in User.objects.values_list("pk", "email"):
        groups[canonical(email)].append(email)
    clashes = {key: emails for key, emails in groups.items() if len(emails) > 1}
    if clashes:
        listed = "; ".join(" = ".join(emails) for emails in clashes.values())
        raise RuntimeError(
            "These accounts are one address once look-alike letters are folded; merge or "
            f"rename them in the admin, then migrate again: {listed}"
        )
    for model in ("User", "Invitation"):
        rows = apps.get_model("accounts", model).objects.all()
        for row in rows.only("pk", "email").iterator():
            if canonical(row.email) != row.email:
                rows.filter(pk=row.pk).update(email=canonical(row.email))


def mark_demo(apps, schema_editor):
    seeded = models.Q(email__in=DEMO_OPERATORS)
    for domain in DEMO_DOMAINS:
        seeded |= models.Q(email__endswith=domain)
    apps.get_model("accounts", "User").objects.filter(seeded).update(is_demo=True)
    apps.get_model("accounts", "Invitation").objects.filter(seeded).update(is_demo=True)
    apps.get_model("accounts", "Company").objects.filter(
        models.Q(name__in=DEMO_COMPANIES) | models.Q(name__startswith=TRAINING_COMPANY)
    ).update(is_demo=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_companion_pairing_claim"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_demo",
            field=models.BooleanField(default=False, editable=False, verbose_name="demo account"),
        ),
        migrations.AddField(
            model_name="invitation",
            name="is_demo",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="demo invitation"
            ),
        ),
        migrations.AddField(
            model_name="company",
            name="is_demo",
            field=models.BooleanField(default=False, editable=False, verbose_name="demo company"),
        ),
        migrations.RunPython(canonical_emails, migrations.RunPython.noop),
        migrations.RunPython(mark_demo, migrations.RunPython.noop),
    ]
