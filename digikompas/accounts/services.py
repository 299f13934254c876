"""State changes of accounts: invitations and accepting them."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from digikompas.accounts import emails
from digikompas.accounts.models import User
from digikompas.orgs.models import Person

INVITATION_SALT = "digikompas.accounts.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600  # seconds; an invitation link works for two weeks


def _invalid_link() -> "InvitationError":
    return InvitationError(_("This invitation link is not valid. Check that you copied all of it."))


def _already_accepted() -> "InvitationError":
    return InvitationError(
        _("This invitation has already been accepted. Log in with your e-mail address.")
    )


class InvitationError(Exception):
    """An invitation that cannot be sent or accepted, with a message for the user."""


def invitation_token(user: User) -> str:
    return signing.dumps({"user": user.pk}, salt=INVITATION_SALT)


def user_for_invitation(token: str) -> User:
    """The invited user behind a token; InvitationError if it is forged, old or already used."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvitationError(
            _("This invitation has expired. Ask the person who invited you to send a new one.")
        ) from None
    except signing.BadSignature:
        raise InvitationError(
            _("This invitation link is not valid. Check that you copied all of it.")
        ) from None
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None:
        raise InvitationError(
            _("This invitation link is not valid. Check that you copied all of it.")
        )
    if user.has_usable_password():
        raise InvitationError(
            _("This invitation has already been accepted. Log in with your e-mail address.")
        )
    return user


def invite_person(*, person: Person, invited_by: User) -> User:
    """Give a person a login and e-mail them a link to choose a password.

    Sending again to someone who has not accepted yet is allowed (a lost e-mail); inviting
    someone who already logs in is refused.
    """
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        user = person.user
        if user is not None and user.has_usable_password():
            raise InvitationError(_("%(name)s already has a login.") % {"name": person.name})
        if user is None:
            if User.objects.filter(email__iexact=person.email).exists():
                raise InvitationError(
                    _("The e-mail address %(email)s already belongs to another login.")
                    % {"email": person.email}
                )
            user = User.objects.create_user(email=person.email)  # no usable password yet
            person.user = user
            person.save(update_fields=["user", "updated_at"])
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        link = settings.SITE_ROOT + reverse(
            "accounts:accept_invitation", kwargs={"token": invitation_token(user)}
        )
        inviter = invited_by.get_full_name()
        transaction.on_commit(
            lambda: emails.send_invitation(
                user=user, person=person, invited_by_name=inviter, link=link
            )
        )
    return user


def accept_invitation(*, user: User, password: str) -> None:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.has_usable_password():
            raise InvitationError(
                _("This invitation has already been accepted. Log in with your e-mail address.")
            )
        user.set_password(password)
        user.save(update_fields=["password"])
