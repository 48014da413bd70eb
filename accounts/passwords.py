import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ComplexityValidator:
    """ESET's policy: lower case, upper case, a digit and a special character."""

    def validate(self, password, user=None):
        if not (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
            and any(unicodedata.category(c)[0] in "PSZ" for c in password)
        ):
            raise ValidationError(self.get_help_text(), code="password_not_complex")

    def get_help_text(self):
        return _(
            "Your password must contain a lower-case letter, an upper-case letter, a digit "
            "and a special character."
        )
