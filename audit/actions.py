from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What an audit event records. Codes are stored: never rename one, add a new one."""

    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    LOCKED_OUT = "locked_out", _("Sign-in refused after too many failures")
    FACTOR_ADDED = "factor_added", _("Second factor added")
    FACTOR_REMOVED = "factor_removed", _("Second factor removed")
    RECOVERY_CODES_CREATED = "recovery_codes_created", _("Recovery codes created")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PERMISSIONS_CHANGED = "permissions_changed", _("Access rights changed")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_USED = "invitation_used", _("Invitation used to register")
    TRAINER_RESET = "trainer_reset", _("Demo data reset")
    CASE_CREATED = "case_created", _("Case created")
    CASE_STATUS_CHANGED = "case_status_changed", _("Case status changed")
    CASE_STAGE_CHANGED = "case_stage_changed", _("Case stage changed")
    CASE_ASSIGNED = "case_assigned", _("Case assignment changed")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
