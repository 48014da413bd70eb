"""The operator's case page beyond Django's change form: the reply box above the newest
messages with saved replies and a status to move to, the customer's context beside it, who
else is on the case, and the guard against answering over another operator's reply."""

import copy
import uuid
from dataclasses import dataclass
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.db import transaction
from django.db.models import Count, Window
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ServiceSubscription, User
from cases.forms import AttachmentForm, MessageForm
from cases.models import Case, CaseStatus, Message
from cases.services import case_update, message_post
from desk import presence, replies
from desk.models import SavedReply
from desk.relative import due_text

# The company's other open cases the side panel links to; the rest are counted ("and 12 more").
OTHER_CASES_SHOWN = 10


class OperatorReplyForm(MessageForm):
    internal = forms.BooleanField(label=_("Internal note (operators only)"), required=False)
    status_after = forms.ChoiceField(
        label=_("Status after posting"),
        choices=[("", _("Keep the status")), *CaseStatus.choices],
        required=False,
    )
    saved_reply = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    # The newest message the operator had on screen: a public post newer than it, by someone
    # else, stops the reply until they confirm. Absent in a form from before the guard.
    seen = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1)
    confirm = forms.BooleanField(required=False)


@dataclass(frozen=True)
class SavedText:
    reply: SavedReply
    text: str


def saved_texts(case: Case, operator: User) -> list[SavedText]:
    return [
        SavedText(reply, replies.render(reply, case=case, operator=operator))
        for reply in replies.active()
    ]


def customer_context(case: Case) -> dict:
    """The side panel: the company and its plan (read with the case), its subscriptions, its
    other open cases (the first OTHER_CASES_SHOWN and how many more), the creator's last
    sign-in (read with the case). Two queries."""
    subscriptions = list(
        ServiceSubscription.objects.filter(company_id=case.company_id).select_related("service")
    )
    others = list(
        Case.objects.open()
        .filter(company_id=case.company_id)
        .exclude(pk=case.pk)
        .only("id", "number", "subject", "status")
        .annotate(total=Window(Count("id")))
        .order_by("-updated_at", "-id")[:OTHER_CASES_SHOWN]
    )
    return {
        "subscriptions": subscriptions,
        "other_cases": others,
        "other_cases_more": others[0].total - len(others) if others else 0,
        **response_due(case, timezone.now()),
    }


def response_due(case: Case, now) -> dict:
    """When the awaited response is due, in the queue's words (no query: the case's own
    fields): `response_due` is the text, or "paused" while the case waits for the customer;
    None when no response is awaited."""
    if case.response_due_at is not None:
        return {
            "response_due": due_text(case.response_due_at, now),
            "response_overdue": case.response_due_at < now,
        }
    if case.response_clock.is_paused:
        return {"response_due": gettext("paused"), "response_overdue": False}
    return {"response_due": None, "response_overdue": False}


def page_context(request: HttpRequest, case: Case, context: dict) -> dict:
    """What the change page adds to Django's context. The reply form is the one handed in
    (`reply_form` in the context, from reply() below) or a fresh one, filled with a saved
    reply when the address names one (?saved_reply=, the Insert button without JavaScript)."""
    operator = cast(User, request.user)  # admin_view: a signed-in operator
    presence.seen(case=case, operator=operator, replying=False)
    page = {
        "upload_form": AttachmentForm(),
        "others_on_case": presence.others(case=case, operator=operator),
        "presence_beat": presence.PRESENCE_BEAT,
        "status_choices": OperatorReplyForm.base_fields["status_after"].choices,  # type: ignore[attr-defined]
        **customer_context(case),
    }
    if not context.get("is_latest_page"):
        return page  # the reply box sits above the newest messages only
    texts = saved_texts(case, operator)
    form = context.get("reply_form")
    if form is None:
        initial: dict = {"post_id": uuid.uuid4()}
        chosen = _chosen(texts, request.GET.get("saved_reply"))
        if chosen is not None:
            initial |= {"body": chosen.text, "status_after": chosen.reply.sets_status}
        form = OperatorReplyForm(initial=initial)
    thread = context.get("thread") or []
    return page | {
        "reply_form": form,
        "reply_seen": thread[0].pk if thread else 0,
        "saved_texts": texts,
    }


def _chosen(texts: list[SavedText], raw) -> SavedText | None:
    return next((t for t in texts if str(t.reply.pk) == (raw or "").strip()), None)


def collisions(case: Case, operator: User, seen: int) -> list[Message]:
    """Public posts newer than `seen` by anyone but `operator`: a customer's, or another
    operator's answer. Internal notes do not count: they answer nobody."""
    return list(
        Message.objects.filter(case=case, pk__gt=seen, is_internal=False)
        .exclude(author=operator)
        .select_related("author")
        .only("id", "case_id", "created_at", "by_operator", "author__full_name")
        .order_by("id")
    )


def reply(model_admin: ModelAdmin, request: HttpRequest, case: Case) -> HttpResponse:
    """Post the operator's reply, then move the status if they chose one (the same service as
    the Handling form, so the same notifications and audit). Insert (without JavaScript) and
    a collision bring the page back with the typed text instead of posting."""
    operator = cast(User, request.user)  # admin_view: a signed-in operator
    form = OperatorReplyForm(request.POST)
    if "insert" in request.POST:
        return _insert(model_admin, request, case, form)
    if not form.is_valid():
        for problem in form.errors.get("body", []):
            model_admin.message_user(request, str(problem), messages.ERROR)
        return _back(case)
    data = form.cleaned_data
    guarded = not data["internal"] and not data["confirm"] and data["seen"] is not None
    # The look for a newer answer and the post under one lock of the case: of two operators
    # pressing Post at once, the second finds the first's answer instead of posting over it.
    with transaction.atomic():
        Case.objects.select_for_update().only("pk").get(pk=case.pk)
        newer = collisions(case, operator, data["seen"]) if guarded else []
        if not newer:
            message_post(
                case=case,
                author=operator,
                body=data["body"],
                post_id=data["post_id"],
                internal=data["internal"],
            )
    if newer:
        again = request.POST.copy()
        again["seen"] = str(newer[-1].pk)
        again["confirm"] = "1"
        return _page_again(
            model_admin, request, case, OperatorReplyForm(again), {"collisions": newer}
        )
    if status := data["status_after"]:
        moved = Case.objects.select_related("stage", "assigned_to").get(pk=case.pk)
        if moved.status != status:
            case_update(
                case=moved,
                operator=operator,
                status=status,
                stage=moved.stage,
                assigned_to=moved.assigned_to,
            )
    model_admin.message_user(request, _("Your reply was posted."), messages.SUCCESS)
    return _back(case)


def _insert(model_admin, request, case, form) -> HttpResponse:
    """The Insert button without JavaScript: the saved text after what was typed, and its
    status chosen, on the page again; nothing is posted."""
    texts = saved_texts(case, cast(User, request.user))
    again = request.POST.copy()
    chosen = _chosen(texts, again.get("saved_reply"))
    if chosen is not None:
        typed = again.get("body", "").rstrip()
        again["body"] = f"{typed}\n\n{chosen.text}" if typed else chosen.text
        if chosen.reply.sets_status:
            again["status_after"] = chosen.reply.sets_status
    if not again.get("post_id"):
        again["post_id"] = str(uuid.uuid4())
    return _page_again(model_admin, request, case, OperatorReplyForm(again), {})


def _page_again(model_admin, request, case, form, extra: dict) -> HttpResponse:
    """The case page as a GET of it would show it, with this reply form and `extra`."""
    page = copy.copy(request)
    page.method = "GET"
    page.GET = QueryDict()
    page.POST = QueryDict()
    url = reverse("admin:cases_case_change", args=[case.pk])
    return model_admin.changeform_view(page, str(case.pk), url, {"reply_form": form} | extra)


def _back(case: Case) -> HttpResponse:
    return redirect(reverse("admin:cases_case_change", args=[case.pk]))


def presence_beat(request: HttpRequest, case: Case) -> HttpResponse:
    """The page's heartbeat: record this operator on the case (writing or not) and answer
    who else is, as the fragment the page shows above the reply box."""
    operator = cast(User, request.user)  # admin_view: a signed-in operator
    # Only someone who may answer holds colleagues back with "is writing a reply".
    replying = request.POST.get("replying") in ("1", "true") and operator.has_perm(
        "cases.change_case"
    )
    presence.seen(case=case, operator=operator, replying=replying)
    others = presence.others(case=case, operator=operator)
    return render(request, "admin/cases/case/_presence.html", {"others_on_case": others})
