"""Who gets what from every named URL: the table `test_access_matrix.py` sweeps.

Each URL name maps persona → (answer to GET, answer to POST). A URL added to the URL
configuration without a row here fails `test_it_has_a_row_for_every_named_url`: decide who may
reach it, then write it down.

Answers are classes of responses, not status codes alone:

- `ok`: 200 or 204.
- `redirect_login`: a redirect to the sign-in page (the portal's or the admin's, which sends on
  to the portal's).
- `redirect_second_factor`: a redirect to the second-factor step of a sign-in under way.
- `redirect`: any other redirect (a form's next page, the referring page…).
- `bad_request` 400, `forbidden` 403, `not_found` 404, `method_not_allowed` 405,
  `conflict` 409 (the HUB Authenticator's API refusing an unsigned call), `gone` 410.

POSTs carry an empty body: an allowed POST re-renders its form with errors (`ok`), goes back
where it came from (`redirect`), or answers `bad_request` where a view says so. A refused POST
(any answer in REFUSALS) must leave every table as it was, and no GET may add or remove a row:
the sweep checks both.
"""

# Personas -----------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
# Passed the password step only (accounts/pending.py): a customer, then an operator.
HALF_SIGNED_IN = "half_signed_in"
OPERATOR_HALF_SIGNED_IN = "operator_half_signed_in"
# Fully signed in customers: the case's creator, a contact of the same company, and a contact
# of another company.
CUSTOMER = "customer"
COLLEAGUE = "colleague"
OTHER_COMPANY = "other_company"
# A contact of the customer's company just registered from an invitation: signed in by the
# registration, no second factor yet (the guide's first visit), so counted with the members.
REGISTERED = "registered"
# A staff user signed in without a second factor (no device at all): the admin must refuse.
OPERATOR_NO_DEVICE = "operator_no_device"
# An operator with an authenticator whose session never passed it (login() without the code):
# accounts.middleware.SecondFactorMiddleware ends such a session on any request.
OPERATOR_UNVERIFIED = "operator_unverified"
OPERATOR = "operator"
# Trainer mode on: a visitor who opened the trainer's classroom link, and one who did not.
TRAINEE = "trainee"
DEMO_VISITOR = "demo_visitor"

PERSONAS = (
    ANONYMOUS,
    HALF_SIGNED_IN,
    CUSTOMER,
    COLLEAGUE,
    OTHER_COMPANY,
    REGISTERED,
    OPERATOR_HALF_SIGNED_IN,
    OPERATOR_NO_DEVICE,
    OPERATOR_UNVERIFIED,
    OPERATOR,
    TRAINEE,
    DEMO_VISITOR,
)
# Trainer mode (settings.DEMO_MODE) is on for these personas only.
DEMO_PERSONAS = (TRAINEE, DEMO_VISITOR)

GROUPS = {
    # Nobody is signed in (request.user is anonymous).
    "signed_out": (ANONYMOUS, HALF_SIGNED_IN, OPERATOR_HALF_SIGNED_IN, TRAINEE, DEMO_VISITOR),
    "members": (CUSTOMER, COLLEAGUE, REGISTERED),
    "customers": (CUSTOMER, COLLEAGUE, OTHER_COMPANY, REGISTERED),
    "staff": (OPERATOR_NO_DEVICE, OPERATOR),
    "signed_in": (CUSTOMER, COLLEAGUE, OTHER_COMPANY, REGISTERED, OPERATOR_NO_DEVICE, OPERATOR),
    "demo_off": tuple(p for p in PERSONAS if p not in (*DEMO_PERSONAS, OPERATOR_UNVERIFIED)),
    "demo_on": DEMO_PERSONAS,
}

OK = "ok"
REDIRECT = "redirect"
LOGIN = "redirect_login"
SECOND_FACTOR = "redirect_second_factor"
BAD_REQUEST = "bad_request"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
NOT_ALLOWED = "method_not_allowed"
CONFLICT = "conflict"
GONE = "gone"

# Answers that refuse the request: a POST answered so must leave every table as it was.
REFUSALS = {LOGIN, SECOND_FACTOR, BAD_REQUEST, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT, GONE}


def answers(everyone=None, **by_who) -> dict[str, tuple[str, str]]:
    """One row: `everyone`, then groups, then single personas, each later one winning.

    A value is one answer for GET and POST alike, or a (GET, POST) pair. An unverified
    operator's session ends at any URL (sent to sign in) unless the row says otherwise.
    """
    row = {OPERATOR_UNVERIFIED: (LOGIN, LOGIN)}

    def put(personas, value):
        pair = value if isinstance(value, tuple) else (value, value)
        row.update(dict.fromkeys(personas, pair))

    if everyone is not None:
        put([p for p in PERSONAS if p != OPERATOR_UNVERIFIED], everyone)
    for key, value in by_who.items():
        if key in GROUPS:
            put(GROUPS[key], value)
    for key, value in by_who.items():
        if key not in GROUPS:
            assert key in PERSONAS, f"unknown persona {key!r}"
            put((key,), value)
    missing = set(PERSONAS) - set(row)
    assert not missing, f"no answer for {sorted(missing)}"
    return row


# Customer pages: a contact of a customer company, fully signed in; operators get a 403 that
# sends them to the admin; another company's case is a 404, exactly like a missing one.
def _portal(members, *, other=NOT_FOUND):
    return answers(signed_out=LOGIN, members=members, other_company=other, staff=FORBIDDEN)


# Pages of a sign-in under way (the password passed, the second factor not yet).
def _pending(**by_who):
    return answers(LOGIN, **by_who)


# Pages for any signed-in user, operators included (their own profile).
def _own_account(**by_who):
    return answers(**{"signed_out": LOGIN, "signed_in": OK} | by_who)


# Trainer pages: 404 for everyone unless trainer mode is on.
def _trainer(**by_who):
    return answers(demo_off=NOT_FOUND, **by_who)


EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    # hub ----------------------------------------------------------------------------------
    "home": _portal(OK, other=OK),
    "healthz": answers((OK, NOT_ALLOWED)),
    "set_language": answers((NOT_ALLOWED, REDIRECT)),
    # cases --------------------------------------------------------------------------------
    # An empty POST to the form is a refresh of its dependent lists: the form again.
    "cases:create": _portal(OK, other=OK),
    # The catalogue's products matching what was typed: the same for every company; GET only.
    "cases:product_suggestions": _portal((OK, NOT_ALLOWED), other=(OK, NOT_ALLOWED)),
    "cases:detail": _portal(OK),
    "cases:chatter_older": _portal(OK),
    "cases:chatter_updates": _portal(OK),
    # POST only; the method is checked before the case, so another company sees 405 on GET.
    "cases:chatter_post": _portal((NOT_ALLOWED, BAD_REQUEST), other=(NOT_ALLOWED, NOT_FOUND)),
    # An upload without files goes back to the attachments tab with the error shown.
    "cases:attachments_upload": _portal((NOT_ALLOWED, REDIRECT), other=(NOT_ALLOWED, NOT_FOUND)),
    "cases:attachment_download": _portal(OK),
    # Previews: reached as the download is, read only (GET; the method is checked before the
    # case, so another company sees 405 on POST); the world's screenshot is ready.
    "cases:attachment_thumbnail": _portal((OK, NOT_ALLOWED), other=(NOT_FOUND, NOT_ALLOWED)),
    "cases:attachment_preview": _portal((OK, NOT_ALLOWED), other=(NOT_FOUND, NOT_ALLOWED)),
    "cases:attachment_preview_image": _portal((OK, NOT_ALLOWED), other=(NOT_FOUND, NOT_ALLOWED)),
    "cases:attachment_preview_state": _portal((OK, NOT_ALLOWED), other=(NOT_FOUND, NOT_ALLOWED)),
    "cases:follow_up": _portal(REDIRECT),
    # accounts: sign-in -----------------------------------------------------------------------
    "accounts:login": answers(signed_out=OK, signed_in=REDIRECT),
    "accounts:logout": answers((NOT_ALLOWED, LOGIN)),
    # Both half-signed-in personas have an authenticator: the code page (an empty code is an
    # error on the same page); choosing or pairing a second one during sign-in sends them there.
    # The customer has a HUB Authenticator too, whose approval page comes first on a GET.
    "accounts:two_factor": _pending(half_signed_in=(REDIRECT, OK), operator_half_signed_in=OK),
    "accounts:two_factor_method": _pending(
        half_signed_in=SECOND_FACTOR, operator_half_signed_in=SECOND_FACTOR
    ),
    # The HUB Authenticator's approval page: the customer's app is asked (a sign-in request is
    # made); the operator has no app and is sent to the code page.
    "companion:approve": _pending(half_signed_in=OK, operator_half_signed_in=SECOND_FACTOR),
    # Polled while the HUB Authenticator is asked; nobody here has asked it.
    "companion:approval_status": _pending(),
    "companion:pair": _pending(half_signed_in=SECOND_FACTOR, operator_half_signed_in=SECOND_FACTOR),
    "companion:pair_wait": _pending(),
    # Setup during a sign-in of someone without a device (the profile's replacement has a page
    # of its own); no sign-in is under way here.
    "accounts:authenticator_setup": _pending(
        half_signed_in=SECOND_FACTOR, operator_half_signed_in=SECOND_FACTOR
    ),
    # Shown once after they are made; without fresh codes, back to the profile.
    "accounts:recovery_codes": _own_account(signed_in=REDIRECT),
    "accounts:recovery_codes_download": _own_account(signed_in=REDIRECT),
    # accounts: links from emails (the link itself is the credential) ------------------------
    # The token is swapped for a session-held copy on the first GET (a redirect to the form at
    # a token-free address); a POST to the link itself is the form with errors.
    "accounts:register": answers((REDIRECT, OK)),
    "accounts:terms": answers(OK),
    "accounts:password_reset": answers(OK),
    "accounts:password_reset_confirm": answers((REDIRECT, OK)),
    # accounts: profile -------------------------------------------------------------------------
    "accounts:profile": _own_account(),
    "accounts:password_change": _own_account(),
    "accounts:recovery_codes_regenerate": _own_account(),
    "accounts:authenticator_replace": _own_account(),
    # The customer's own HUB Authenticator: anybody else's answers 404.
    "companion:manage": answers(signed_out=LOGIN, signed_in=NOT_FOUND, customer=(OK, OK)),
    # companion: the HUB Authenticator web app; its API takes signed requests, no cookies ----
    "companion:app": answers(OK),
    "companion:manifest": answers(OK),
    "companion:service_worker": answers(OK),
    "companion:enroll": answers((NOT_ALLOWED, BAD_REQUEST)),
    "companion:state": answers((FORBIDDEN, NOT_ALLOWED)),
    "companion:confirm": answers((NOT_ALLOWED, CONFLICT)),
    "companion:answer": answers((NOT_ALLOWED, CONFLICT)),
    # trainer: only in trainer mode; mail and codes only for the classroom ---------------------
    # The classroom link (its key is the credential) admits the browser and opens the outbox.
    "trainer:join": _trainer(demo_on=REDIRECT),
    "trainer:outbox": _trainer(trainee=OK, demo_visitor=NOT_FOUND),
    "trainer:outbox_email": _trainer(trainee=OK, demo_visitor=NOT_FOUND),
    "trainer:authenticator": _trainer(trainee=OK, demo_visitor=NOT_FOUND),
    "trainer:authenticator_code": _trainer(trainee=OK, demo_visitor=NOT_FOUND),
    "trainer:tour_toggle": _trainer(demo_on=(NOT_ALLOWED, REDIRECT)),
}


# The admin (the operators' console) ---------------------------------------------------------


# Everybody but a fully signed-in operator is sent to sign in: the admin's login page sends
# on to the portal's two-step sign-in.
def _admin(operator):
    return answers(LOGIN, operator=operator)


# What each registered ModelAdmin allows an operator (a superuser): False for refused (403),
# else the answer when it differs from `ok`. Every model's changelist, add, change, delete and
# history URLs get a row from this. Viewing is always allowed.
ADMIN_MODELS = {
    "accounts.company": {},
    # Once sent, every field of an invitation is read-only: an empty save is valid (it changes
    # nothing) and goes back to the list.
    "accounts.invitation": {"change": REDIRECT},
    "accounts.user": {},
    "audit.auditevent": {"add": False, "change": False, "delete": False},
    "auth.group": {},
    "cases.case": {"add": False, "delete": False},
    "cases.message": {"add": False, "change": False},
    "catalog.contractplan": {},
    "catalog.maincontent": {},
    "catalog.operatingsystem": {},
    "catalog.priority": {},
    "catalog.problem": {},
    "catalog.product": {},
    "catalog.productgroup": {},
    "catalog.productversion": {},
    "catalog.responsetarget": {},
    "catalog.service": {},
    "catalog.stage": {},
    # The support calendar is one row: neither added nor deleted (its list is its page).
    "desk.supportcalendar": {"add": False, "delete": False},
    # A national holiday's only editable field is a checkbox: an empty save is valid.
    "desk.holiday": {"change": REDIRECT},
    "desk.savedreply": {},
    "hub.outboundemail": {"add": False, "change": False},
    "otp_static.staticdevice": {},
    "otp_totp.totpdevice": {},
}


def _admin_model_rows(label, allowed):
    def may(action):
        answer = allowed.get(action, OK)
        return FORBIDDEN if answer is False else answer

    prefix = "admin:" + label.replace(".", "_")
    return {
        f"{prefix}_changelist": _admin(OK),
        f"{prefix}_add": _admin(may("add")),
        # Viewing stays allowed; saving needs the change permission.
        f"{prefix}_change": _admin((OK, may("change"))),
        # An empty POST is not the confirmation: the page again.
        f"{prefix}_delete": _admin(may("delete")),
        f"{prefix}_history": _admin(OK),
    }


for _label, _allowed in ADMIN_MODELS.items():
    EXPECTED |= _admin_model_rows(_label, _allowed)
# The calendar's list goes straight to the calendar's page.
EXPECTED["admin:desk_supportcalendar_changelist"] = _admin(REDIRECT)

EXPECTED |= {
    "admin:index": _admin(OK),
    # One sign-in page for everyone: the portal's. A signed-in customer is refused outright.
    # An operator already in goes to the index: following a link never signs one out.
    "admin:login": answers(LOGIN, customers=FORBIDDEN, operator=REDIRECT),
    # The admin's own logout is POST only, then the portal's sign-in; for anyone else it goes
    # back to the index.
    "admin:logout": answers(REDIRECT, operator=(NOT_ALLOWED, LOGIN)),
    "admin:password_change": _admin(OK),
    "admin:password_change_done": _admin((OK, NOT_ALLOWED)),
    "admin:jsi18n": _admin((OK, NOT_ALLOWED)),
    "admin:app_list": _admin(OK),
    "admin:autocomplete": _admin((OK, NOT_ALLOWED)),
    # No model of ours has a public page to go to.
    "admin:view_on_site": _admin(NOT_FOUND),
    "admin:auth_user_password_change": _admin(OK),
    "admin:otp_totp_totpdevice_config": _admin(OK),
    "admin:otp_totp_totpdevice_qrcode": _admin(OK),
    # An operator's reply and upload: POST only; an empty one goes back to the case page.
    "admin:cases_case_reply": _admin((NOT_ALLOWED, REDIRECT)),
    "admin:cases_case_upload": _admin((NOT_ALLOWED, REDIRECT)),
    "admin:cases_attachment_download": _admin(OK),
    "admin:cases_attachment_thumbnail": _admin((OK, NOT_ALLOWED)),
    "admin:cases_attachment_preview": _admin((OK, NOT_ALLOWED)),
    "admin:cases_attachment_preview_image": _admin((OK, NOT_ALLOWED)),
    # The case page's heartbeat: POST only; it answers who else is on the case.
    "admin:cases_case_presence": _admin((NOT_ALLOWED, OK)),
    # Saved views of the queue: POST only; an empty form goes back to the queue with the
    # reason, a delete goes back to it too.
    "admin:cases_case_view_save": _admin((NOT_ALLOWED, REDIRECT)),
    "admin:cases_case_view_rename": _admin((NOT_ALLOWED, REDIRECT)),
    "admin:cases_case_view_delete": _admin((NOT_ALLOWED, REDIRECT)),
    # How the desk is doing, and its CSV: reading only (GET; the default period).
    "admin:desk_report": _admin((OK, NOT_ALLOWED)),
    "admin:desk_report_csv": _admin((OK, NOT_ALLOWED)),
}
