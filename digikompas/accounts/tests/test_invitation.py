import datetime as dt
import re

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext

from digikompas.testing import make_person


def _link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/accounts/invitation/\S+/", body).group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


@pytest.fixture
def invitation_path(
    client, library_leader, odense_main, smtp_server, django_capture_on_commit_callbacks
):
    """Invite Nina as her library leader; returns a function giving the mailed link's path."""

    def invite():
        person = make_person("Nina Nør", "nina@odense.example", library=odense_main, login=False)
        client.force_login(library_leader.user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/accounts/people/{person.pk}/invite/")
        client.logout()
        return _path(_link_in(smtp_server.messages[0]))

    return invite


def test_leader_invites_staff_who_gets_a_mail_and_chooses_a_password(
    client, library_leader, odense_main, smtp_server, django_capture_on_commit_callbacks
):
    person = make_person("Nina Nør", "nina@odense.example", library=odense_main, login=False)
    client.force_login(library_leader.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/accounts/people/{person.pk}/invite/", follow=True)

    with translation.override("da"):
        assert (
            gettext("An invitation has been sent to %(email)s.") % {"email": "nina@odense.example"}
            in response.text
        )
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "nina@odense.example"
    link = _link_in(message)

    client.logout()
    assert client.get(_path(link)).status_code == 200
    response = client.post(
        _path(link),
        {"new_password1": "a long new password 42", "new_password2": "a long new password 42"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/"
    assert response.context["user"].email == "nina@odense.example"
    assert client.login(email="nina@odense.example", password="a long new password 42")


def test_an_accepted_invitation_cannot_be_used_again(client, invitation_path):
    path = invitation_path()
    client.post(
        path, {"new_password1": "a long new password 42", "new_password2": "a long new password 42"}
    )
    client.logout()

    response = client.get(path)

    assert response.status_code == 400
    with translation.override("da"):
        assert (
            gettext("This invitation has already been accepted. Log in with your e-mail address.")
            in response.text
        )


def test_an_invitation_expires_after_two_weeks(client, invitation_path):
    path = invitation_path()

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=15)):
        response = client.get(path)

    assert response.status_code == 400
    with translation.override("da"):
        assert (
            gettext(
                "This invitation has expired. Ask the person who invited you to send a new one."
            )
            in response.text
        )


def test_a_tampered_link_is_refused(client, reference_data):
    response = client.get("/accounts/invitation/not-a-real-token/")
    assert response.status_code == 400
    with translation.override("da"):
        assert (
            gettext("This invitation link is not valid. Check that you copied all of it.")
            in response.text
        )


def test_someone_with_a_login_is_not_invited_again(client, library_leader, staff, smtp_server):
    client.force_login(library_leader.user)
    response = client.post(f"/accounts/people/{staff.pk}/invite/", follow=True)
    with translation.override("da"):
        assert (
            gettext("%(name)s already has a login.") % {"name": "Alice Andersen"} in response.text
        )
    assert smtp_server.messages == []


def test_staff_cannot_invite(client, staff, odense_main):
    person = make_person("Nina Nør", "nina@odense.example", library=odense_main, login=False)
    client.force_login(staff.user)
    assert client.post(f"/accounts/people/{person.pk}/invite/").status_code == 403


def test_a_leader_cannot_invite_people_of_another_library(client, other_leader, odense_main):
    person = make_person("Nina Nør", "nina@odense.example", library=odense_main, login=False)
    client.force_login(other_leader.user)
    assert client.post(f"/accounts/people/{person.pk}/invite/").status_code == 404
