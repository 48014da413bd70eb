"""The audit trail: security events and case changes, read-only in the admin.

Call sites use `audit.record(action=audit.Action.…, actor=…, subject=…, **details)`; the
implementation lives in audit.services (imported on first use: this package is imported before
the models are ready)."""

from audit.actions import Action


def record(**kwargs):
    """See audit.services.record."""
    from audit import services

    return services.record(**kwargs)


__all__ = ["Action", "record"]
