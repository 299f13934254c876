import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from digikompas.orgs.models import Person
from digikompas.pilot.models import CalendarFeed
from digikompas.privacy import erasure, export
from digikompas.privacy.models import Action, AuditEvent
from digikompas.privacy.tests.conftest import ANONYMOUS_TEXT, CONFIDENTIAL_TEXT
from digikompas.surveys.models import Invitation
from digikompas.testing import log_in_client


@pytest.fixture(autouse=True)
def _english():
    # The export is written in the language of the request; these tests read it in English.
    with translation.override("en"):
        yield


def relations_to_people() -> set[str]:
    """Every field of every installed model that points at a Person or a login."""
    targets = (Person, get_user_model())
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and not field.auto_created and field.related_model in targets:
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_the_export_and_the_erasure_cover_every_relation_to_a_person_or_a_login():
    # A new model pointing at a person or a login must be added to export.RELATIONS (where the
    # export holds it) and to erasure.RELATIONS (what an erasure does with it).
    graph = relations_to_people()
    assert graph - set(export.RELATIONS) == set(), "relations missing from the export"
    assert graph - set(erasure.RELATIONS) == set(), "relations missing from the erasure"
    assert set(export.RELATIONS) - graph == set(), "export.RELATIONS names a relation gone"
    assert set(erasure.RELATIONS) - graph == set(), "erasure.RELATIONS names a relation gone"


def _at(data: dict, path: str):
    for key in path.split("."):
        data = data[key]
    return data


def _present(value) -> bool:
    if isinstance(value, dict) and "exists" in value:
        return value["exists"]
    if isinstance(value, dict) and "enabled" in value:
        return value["enabled"]
    return bool(value)


def test_every_relation_of_a_person_linked_to_everything_is_in_the_export(linked):
    data = export.person_data(person=linked.person)

    empty = [
        f"{relation} → {path}"
        for relation, path in export.RELATIONS.items()
        if not _present(_at(data, path))
    ]
    assert empty == []


def test_the_export_holds_the_confidential_answers_and_not_the_anonymous_ones(linked):
    data = export.person_data(person=linked.person)

    assert data["person"]["name"] == "Alice Andersen"
    assert data["person"]["library"]["name"] == "Odense Hovedbibliotek"
    responses = data["surveys"]["confidential_responses"]
    assert [r["round"] for r in responses] == [linked.objects["confidential"].title]
    answers = {a["code"]: a["answer"] for a in responses[0]["answers"]}
    assert answers["why-not"] == CONFIDENTIAL_TEXT
    assert answers["frequency"] == "Never"
    invitations = data["surveys"]["invitations"]
    assert [i["anonymity"] for i in invitations] == ["Confidential", "Anonymous"]
    # She answered both; only the confidential round keeps when.
    assert [i["answered"] for i in invitations] == [True, True]
    assert invitations[0]["answered_at"] is not None
    assert invitations[1]["answered_at"] is None
    assert data["surveys"]["note"].startswith("Answers given in anonymous rounds are stored")
    assert ANONYMOUS_TEXT not in export.dumps(data)


def test_the_export_holds_no_secret(linked):
    text = export.dumps(export.person_data(person=linked.person))

    feed = CalendarFeed.objects.get(person=linked.person)
    secrets = {
        "API key": linked.token_key,
        "second factor": linked.totp_secret,
        "calendar feed": feed.token,
        "password hash": linked.person.user.password,
        **{f"survey link {i.pk}": i.token for i in Invitation.objects.filter(person=linked.person)},
    }
    assert [name for name, secret in secrets.items() if secret in text] == []
    data = json.loads(text)
    assert data["account"]["two_factor"]["enabled"] is True
    assert data["account"]["api_key"]["exists"] is True


def test_the_audit_events_about_the_person_say_when_and_what_but_not_who(linked):
    data = export.person_data(person=linked.person)

    assert [(e["action"], e["by_yourself"]) for e in data["audit"]["about_you"]] == [
        (str(Action.VIEWED_PERSON.label), False)
    ]
    assert "bent@odense.example" not in export.dumps(data)
    assert [e["about"] for e in data["audit"]["by_you"]] == ["Nina Nør"]


def test_a_login_without_a_person_exports_its_account(outsider):
    data = export.person_data(user=outsider)

    assert data["person"] is None
    assert data["account"]["email"] == "outsider@example.com"


# -- the pages ------------------------------------------------------------------------------------


def test_my_data_downloads_the_file_and_audits_it(client, linked):
    log_in_client(client, linked.person)

    response = client.get(reverse("privacy:my_data_download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="digikompas-personal-data-'
    )
    assert json.loads(response.content)["person"]["email"] == "alice@odense.example"
    event = AuditEvent.objects.get(action=Action.EXPORTED_PERSON_DATA)
    assert (event.actor_email, event.object_type, event.object_id) == (
        "alice@odense.example",
        "orgs.person",
        str(linked.person.pk),
    )
    assert event.ip_address == "127.0.0.1"


def test_my_data_page_offers_the_download(client, staff):
    log_in_client(client, staff)

    response = client.get(reverse("privacy:my_data"))

    assert response.status_code == 200
    assert reverse("privacy:my_data_download") in response.content.decode()


def test_an_administrator_downloads_anyones_data_and_it_is_audited(client, staff, administrator):
    log_in_client(client, administrator)

    response = client.get(reverse("privacy:person_data", args=[staff.pk]))

    assert json.loads(response.content)["person"]["name"] == "Alice Andersen"
    event = AuditEvent.objects.get(action=Action.EXPORTED_PERSON_DATA)
    assert (event.actor_email, event.object_label) == ("jytte@kl.example", "Alice Andersen")


# -- the command ----------------------------------------------------------------------------------


def test_the_command_writes_the_file_and_audits_it(linked, tmp_path, capsys):
    output = tmp_path / "alice.json"

    call_command("export_person_data", "ALICE@odense.example", "--output", str(output))

    data = json.loads(output.read_text(encoding="utf-8"))
    assert data["person"]["email"] == "alice@odense.example"
    event = AuditEvent.objects.get(action=Action.EXPORTED_PERSON_DATA)
    assert (event.actor_email, event.detail) == ("", "manage.py export_person_data")


def test_the_command_refuses_an_unknown_address(db):
    with pytest.raises(CommandError, match=r"No person or login has the e-mail address x@y\.z\."):
        call_command("export_person_data", "x@y.z")
