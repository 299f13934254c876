"""Erasing a person (GDPR article 17): their profile, login and everything linked to them go, in
one transaction, and the audit log keeps that it happened and who did it.

The rule for survey answers:

- confidential rounds: the person's responses (with their answers) are deleted. The results are
  computed from the responses that remain, and the analysis engine hides every group that falls
  below the anonymity minimum (a library with exactly the minimum that loses one is hidden, and
  the figures beside it that would let it be worked out). Reports stored for those rounds were
  built with the deleted answers; they are deleted too, so that an old and a new figure cannot be
  set side by side to work out what the person answered. They can be made again.
- anonymous rounds: nothing links a response to the person, so nothing there changes; their
  invitations (which only say that they answered) are deleted.

What the person wrote in the idea bank is deleted. Records of the organisation that name the
person as their owner or maker (campaigns, activities, rounds, reports, imports, sessions they
facilitated) stay, without the name. Audit events about the person stay without their name;
audit events of what the person did with other people's data keep their e-mail address, because
the log is how access to personal data is accounted for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from digikompas.analysis.models import Report
from digikompas.leadership.models import Activity, Campaign
from digikompas.orgs.models import Person
from digikompas.pilot import enrolment as pilot_enrolment
from digikompas.pilot.models import (
    Completion,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    ExperienceLog,
    Session,
)
from digikompas.surveys.models import AnonymityMode, Invitation, Response

from . import audit
from .models import Action, AuditEvent

# How each relation to Person or User is handled by erase(); tests/test_erasure.py checks that
# every relation of the model graph is listed, and that "cascade" and "unlink" match on_delete.
#   delete: deleted by erase() before the person; cascade: deleted with the person or login;
#   unlink: the record stays, without the person (on_delete SET_NULL);
#   scrub: the record stays, with the person's name blanked.
RELATIONS = {
    "orgs.RoleGrant.person": "cascade",
    "surveys.Round.created_by": "unlink",
    "surveys.Invitation.person": "cascade",
    "surveys.Response.person": "delete",
    "analysis.Report.requested_by": "unlink",
    "offers.Provider.maintainers": "cascade",
    "offers.RejectedSuggestion.rejected_by": "unlink",
    "pilot.Session.facilitator": "unlink",
    "pilot.Enrolment.person": "cascade",
    "pilot.Enrolment.enrolled_by": "unlink",
    "pilot.Enrolment.attendance_recorded_by": "unlink",
    "pilot.Completion.person": "cascade",
    "pilot.Material.uploaded_by": "unlink",
    "pilot.ExperienceLog.person": "delete",
    "pilot.CalendarFeed.person": "cascade",
    "leadership.UsageImport.imported_by": "unlink",
    "leadership.SelectionScenario.created_by": "unlink",
    "leadership.Campaign.owner": "unlink",
    "leadership.Activity.owner": "unlink",
    "orgs.Person.user": "delete",
    "account.EmailAddress.user": "cascade",
    "mfa.Authenticator.user": "cascade",
    "socialaccount.SocialAccount.user": "cascade",
    "authtoken.Token.user": "cascade",
    "authtoken.TokenProxy.user": "cascade",
    "admin.LogEntry.user": "cascade",
    "privacy.AuditEvent.user": "unlink",
}


class ErasureRefused(Exception):
    """An erasure that is not done, with the reason for the person who asked."""


@dataclass(frozen=True)
class Line:
    """One line of what an erasure removes or changes: a text and how many."""

    text: str
    count: int


def _responses(person: Person):
    return Response.objects.filter(
        Q(person=person) | Q(invitation__person=person),
        round__anonymity=AnonymityMode.CONFIDENTIAL,
    )


def _affected_reports(person: Person):
    return Report.objects.filter(round__in=_responses(person).values("round"))


def plan(person: Person) -> list[Line]:
    """What erase() would delete or change, for the confirmation page and the dry run."""
    enrolments = Enrolment.objects.filter(person=person)
    coming = enrolments.filter(
        status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED),
        session__starts_at__gt=timezone.now(),
    )
    user = person.user
    lines = [
        Line(_("Profile (name, e-mail address, library, job role)"), 1),
        Line(_("Role grants"), person.grants.count()),
        Line(_("Login, its e-mail addresses, second factor and API key"), int(user is not None)),
        Line(_("Survey invitations"), Invitation.objects.filter(person=person).count()),
        Line(_("Responses to confidential rounds, with their answers"), _responses(person).count()),
        Line(
            _("Stored reports of those rounds (they can be made again)"),
            _affected_reports(person).count(),
        ),
        Line(_("Places in pilot sessions"), enrolments.count()),
        Line(_("Places in coming sessions given to the waiting list"), coming.count()),
        Line(_("Session evaluations"), Evaluation.objects.filter(enrolment__person=person).count()),
        Line(
            _("Completed modules and their certificates"),
            Completion.objects.filter(person=person).count(),
        ),
        Line(
            _("Experiences in the idea bank"), ExperienceLog.objects.filter(person=person).count()
        ),
        Line(_("Education providers maintained"), person.maintained_providers.count()),
        Line(
            _("Campaigns, activities and sessions that stay without the name"),
            Campaign.objects.filter(owner=person).count()
            + Activity.objects.filter(owner=person).count()
            + Session.objects.filter(facilitator=person).count(),
        ),
        Line(
            _("Audit events about the person that stay without the name"),
            _events_about(person).count(),
        ),
    ]
    return [line for line in lines if line.count]


def _events_about(obj):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def _scrub_admin_log(obj) -> None:
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).update(object_repr="", change_message="")


@dataclass(frozen=True)
class Erased:
    person_id: int | None
    user_id: int | None
    responses: int
    reports: int
    experiences: int


def erase(*, person: Person | None = None, user=None, by=None, request=None) -> Erased:
    """Erase the person and their login (or a login that has no person), all or nothing; see the
    module's docstring for what goes and what stays. `by` is the user who asked (None for a
    command); `request`, when given, puts its address in the audit event. Refuses to erase the
    user who asks, so that an administrator cannot lock themselves out by a slip."""
    if person is None and user is None:
        raise ValueError("Give a person or a user.")
    User = get_user_model()
    with transaction.atomic():
        if person is not None:
            # Only the person's row: PostgreSQL refuses to lock the nullable side of the join.
            person = (
                Person.objects.select_for_update(of=("self",))
                .select_related("user")
                .get(pk=person.pk)
            )
            user = person.user
        else:
            user = User.objects.select_for_update().get(pk=user.pk)
        if by is not None and user is not None and by.pk == user.pk:
            raise ErasureRefused(
                _("You cannot erase yourself here. Ask another administrator to do it.")
            )
        counts = {"responses": 0, "reports": 0, "experiences": 0}
        if person is not None:
            counts = _erase_person(person)
        if user is not None:
            _events_about(user).update(object_label="", detail="")
            _scrub_admin_log(user)
            User.objects.filter(pk=user.pk).delete()
        detail = _(
            "Deleted: %(responses)s confidential responses, %(reports)s stored reports, "
            "%(experiences)s experiences; a login: %(login)s."
        ) % {**counts, "login": _("yes") if user is not None else _("no")}
        subject = person if person is not None else user
        if request is not None:
            event = audit.record(request, Action.ERASED_PERSON, obj=subject, detail=detail)
        else:
            actor_email = by.email if by is not None else ""
            event = audit.record_system(
                Action.ERASED_PERSON, obj=subject, detail=detail, actor_email=actor_email
            )
        # The event names what was erased by its kind and id only.
        event.object_label = ""
        event.save(update_fields=["object_label"])
    return Erased(
        person_id=person.pk if person is not None else None,
        user_id=user.pk if user is not None else None,
        **counts,
    )


def _erase_person(person: Person) -> dict[str, int]:
    # Seats in coming sessions go to the waiting list, as when the person cancels; the mail
    # about the cancellation finds no enrolment after the commit and is not sent.
    coming = Enrolment.objects.filter(
        person=person,
        status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED),
        session__starts_at__gt=timezone.now(),
    )
    for enrolment in coming:
        pilot_enrolment.cancel(enrolment)
    # Reports first: they are found through the responses.
    reports = _affected_reports(person)
    counts = {"reports": reports.count()}
    reports.delete()
    responses = _responses(person)
    counts["responses"] = responses.count()
    responses.delete()
    experiences = ExperienceLog.objects.filter(person=person)
    counts["experiences"] = experiences.count()
    experiences.delete()
    _events_about(person).update(object_label="", detail="")
    _scrub_admin_log(person)
    # Saved so that the audit event can still describe it after the row is gone.
    pk = person.pk
    person.delete()
    person.pk = pk
    return counts
