from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Company
from accounts.services import invitation_create


class Command(BaseCommand):
    help = "Invite a customer contact: emails a link to complete registration."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--company", required=True, help="company name (exact)")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, choices=dict(settings.LANGUAGES)
        )

    def handle(self, *args, email, name, company, language, **options):
        found = Company.objects.filter(name=company).first()
        if found is None:
            raise CommandError(f"No company is named {company!r}.")
        try:
            invitation = invitation_create(
                email=email, full_name=name, company=found, language=language
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Invitation sent to {invitation.email}; valid until {invitation.expires_at:%Y-%m-%d}."
        )
