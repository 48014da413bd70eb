"""The deployment's database made ready, as an operator does it (`migrate`, `load_catalogue`),
then the people and the case of the two-server test, made with the suite's factories (the
portal's own services and model methods). Run on server A as `manage.py shell -c "from
tests.two_servers import seed; seed.main()"` (one process: each start of Django costs seconds);
prints the people and the case as JSON."""

import json

from django.core.management import call_command

from tests.factories import create_case, create_company, create_user, with_authenticator
from tests.helpers import PASSWORD

PEOPLE = {
    # Signs in once and works on the case from both servers.
    "customer": {"email": "yuki.sato@example.co.jp", "full_name": "Yuki Sato"},
    # Signs in on A and out on B.
    "colleague": {"email": "ken.tanaka@example.co.jp", "full_name": "Ken Tanaka"},
    # Locked out by wrong passwords typed on both servers.
    "guessed": {"email": "mallory.target@example.co.jp", "full_name": "Guessed Account"},
}


def main() -> None:
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    company = create_company()
    people, users = {}, {}
    for role, fields in PEOPLE.items():
        users[role] = create_user(company=company, language="en", **fields)
        device = with_authenticator(users[role])
        people[role] = {"email": users[role].email, "password": PASSWORD, "totp_key": device.key}
    # The one operator: every customer post on the case is mailed to them, and only to them.
    operator = create_user(
        email="operator@eset.example", full_name="Olga Operator", is_staff=True, language="en"
    )
    with_authenticator(operator)
    case = create_case(users["customer"], subject="Two servers, one case", assigned_to=operator)
    print(json.dumps({"people": people, "operator": operator.email, "case": case.number}))
