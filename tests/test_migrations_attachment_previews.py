"""The migration that gave attachments a preview state, run on old rows: screenshots uploaded
before previews existed wait for one (the sweep makes it); other files have none."""

import pytest

from cases.models import Attachment, PreviewState
from tests.migrations import schema_at

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("cases", "0012_queue_order")]


def test_it_has_old_screenshots_wait_for_a_preview(catalogue, customer, make_case):
    case = make_case(customer)
    with schema_at(BEFORE) as old:
        OldAttachment = old.get_model("cases", "Attachment")
        for name, kind in (("old.png", "png"), ("old.log", "text")):
            OldAttachment.objects.create(
                case_id=case.pk,
                uploaded_by_id=customer.pk,
                name=name,
                stored_name=f"x-{name}",
                size=1,
                sha256="0" * 64,
                kind=kind,
            )
    states = dict(Attachment.objects.values_list("name", "preview_state"))
    assert states == {"old.png": PreviewState.PENDING, "old.log": PreviewState.NONE}
