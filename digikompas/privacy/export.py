"""A person's data export (GDPR article 15 and 20): everything digikompas stores about a person
and their login, as one JSON document.

Every relation from another model to Person or to the User model is listed in RELATIONS with the
place in the document that holds it; tests/test_export.py walks Django's model graph and fails
when a relation appears that is not listed, so the export stays complete as the product grows.

Secrets are never exported: not the password hash, not the second factor's key or recovery
codes, not the API key, the calendar feed's address or the survey links; only that they exist
and since when. Answers given in anonymous rounds are not linked to the person, so they cannot be
part of it; the document says so.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from digikompas.analysis.models import Report
from digikompas.leadership.models import Activity, Campaign, SelectionScenario, UsageImport
from digikompas.offers.models import RejectedSuggestion
from digikompas.orgs.models import Person
from digikompas.pilot.models import (
    CalendarFeed,
    Completion,
    Enrolment,
    ExperienceLog,
    Material,
    Session,
)
from digikompas.surveys.models import AnonymityMode, Invitation, Response, Round

from .models import AuditEvent

FORMAT = "digikompas-person-data"
VERSION = 1

# Every relation to Person or User ("app_label.Model.field") → where the export holds it.
# Reverse relations of a many-to-many are named by the model that declares the field.
RELATIONS = {
    # to Person
    "orgs.RoleGrant.person": "role_grants",
    "surveys.Round.created_by": "records.rounds_created",
    "surveys.Invitation.person": "surveys.invitations",
    "surveys.Response.person": "surveys.confidential_responses",
    "analysis.Report.requested_by": "records.reports_requested",
    "offers.Provider.maintainers": "offers.providers_maintained",
    "offers.RejectedSuggestion.rejected_by": "records.suggestions_rejected",
    "pilot.Session.facilitator": "pilot.sessions_facilitated",
    "pilot.Enrolment.person": "pilot.enrolments",
    "pilot.Enrolment.enrolled_by": "records.enrolments_made_for_others",
    "pilot.Enrolment.attendance_recorded_by": "records.attendance_recorded",
    "pilot.Completion.person": "pilot.completions",
    "pilot.Material.uploaded_by": "records.materials_uploaded",
    "pilot.ExperienceLog.person": "pilot.experiences",
    "pilot.CalendarFeed.person": "pilot.calendar_feed",
    "leadership.UsageImport.imported_by": "records.usage_imports",
    "leadership.SelectionScenario.created_by": "records.selection_scenarios",
    "leadership.Campaign.owner": "leadership.campaigns_owned",
    "leadership.Activity.owner": "leadership.activities_owned",
    # to User
    "orgs.Person.user": "person",
    "account.EmailAddress.user": "account.email_addresses",
    "mfa.Authenticator.user": "account.two_factor",
    "socialaccount.SocialAccount.user": "account.single_sign_on",
    "authtoken.Token.user": "account.api_key",
    "authtoken.TokenProxy.user": "account.api_key",
    "admin.LogEntry.user": "records.admin_changes",
    "privacy.AuditEvent.user": "audit.by_you",
}


def _when(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _library(library) -> dict | None:
    if library is None:
        return None
    return {"code": library.code, "name": library.name, "municipality": library.municipality.name}


def _person(person: Person) -> dict:
    return {
        "id": person.pk,
        "name": person.name,
        "email": person.email,
        "library": _library(person.library),
        "job_role": person.get_job_role_display(),
        "created_at": _when(person.created_at),
        "updated_at": _when(person.updated_at),
    }


def _account(user) -> dict:
    token = Token.objects.filter(user=user).first()
    return {
        "email": user.email,
        "active": user.is_active,
        "joined_at": _when(user.date_joined),
        "last_login_at": _when(user.last_login),
        "has_password": user.has_usable_password(),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        # Whether a second factor is set up and of which kind; never its secret or codes.
        "two_factor": {
            "enabled": Authenticator.objects.filter(user=user).exists(),
            "methods": [
                {
                    "kind": authenticator.get_type_display(),
                    "created_at": _when(authenticator.created_at),
                    "last_used_at": _when(authenticator.last_used_at),
                }
                for authenticator in Authenticator.objects.filter(user=user).order_by("pk")
            ],
        },
        "single_sign_on": [
            {
                "provider": account.provider,
                "uid": account.uid,
                "joined_at": _when(account.date_joined),
                "last_login_at": _when(account.last_login),
                "details": account.extra_data,
            }
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        # That an API key exists and since when; never the key.
        "api_key": {"exists": token is not None, "created_at": _when(token and token.created)},
        "groups": list(user.groups.values_list("name", flat=True)),
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


def _answer_value(answer) -> Any:
    if answer.item.kind == "multiple":
        return [answer.item.option_label(value) for value in answer.choices]
    if answer.item.kind == "single":
        return answer.item.option_label(answer.text)
    if answer.item.kind == "text":
        return answer.text
    return answer.number


def _surveys(person: Person) -> dict:
    invitations = Invitation.objects.filter(person=person).select_related("round__survey")
    responses = (
        Response.objects.filter(person=person)
        .select_related("round__survey", "library__municipality")
        .prefetch_related("answers__item")
        .order_by("submitted_at", "pk")
    )
    return {
        "note": _(
            "Answers given in anonymous rounds are stored without any link to you, so they "
            "cannot be found or shown here. For those rounds digikompas only knows that you "
            "were invited and whether you answered."
        ),
        "invitations": [
            {
                "round": invitation.round.title,
                "survey": invitation.round.survey.title,
                "anonymity": invitation.round.get_anonymity_display(),
                "sent_at": _when(invitation.sent_at),
                "reminded_at": _when(invitation.reminded_at),
                "started_at": _when(invitation.started_at),
                "answered": invitation.responded_at is not None,
                # An anonymous round keeps no moment of answering (surveys.services.answered_at).
                "answered_at": (
                    _when(invitation.responded_at) if invitation.round.is_confidential else None
                ),
                # Answers saved but not submitted yet, by question code.
                "saved_answers": invitation.draft,
            }
            for invitation in invitations.order_by("round__opens_at", "pk")
        ],
        "confidential_responses": [
            {
                "round": response.round.title,
                "survey": response.round.survey.title,
                "submitted_at": _when(response.submitted_at),
                "library": _library(response.library),
                "job_role": response.get_job_role_display(),
                "answers": [
                    {
                        "code": answer.item.code,
                        "question": answer.item.text,
                        "answer": _answer_value(answer),
                    }
                    for answer in sorted(response.answers.all(), key=lambda a: a.item.code)
                ],
            }
            for response in responses
            if response.round.anonymity == AnonymityMode.CONFIDENTIAL
        ],
    }


def _session(session: Session | None) -> dict | None:
    if session is None:
        return None
    return {
        "module": session.module.title,
        "programme": session.module.programme.title,
        "starts_at": _when(session.starts_at),
        "ends_at": _when(session.ends_at),
        "place": session.place,
        "online": session.is_online,
    }


_SESSION = ("session__module__programme",)


def _pilot(person: Person) -> dict:
    enrolments = Enrolment.objects.filter(person=person).select_related(*_SESSION, "evaluation")
    feed = CalendarFeed.objects.filter(person=person).first()
    return {
        "enrolments": [
            {
                "session": _session(enrolment.session),
                "status": enrolment.get_status_display(),
                "enrolled_at": _when(enrolment.created_at),
                "enrolled_by_someone_else": enrolment.enrolled_by_id is not None,
                "waiting_list_since": _when(enrolment.waitlisted_at),
                "got_a_seat_at": _when(enrolment.promoted_at),
                "cancelled_at": _when(enrolment.cancelled_at),
                "attended": enrolment.attended,
                "reminder_sent_at": _when(enrolment.reminder_sent_at),
                "evaluation": _evaluation(enrolment),
            }
            for enrolment in enrolments.order_by("created_at", "pk")
        ],
        "completions": [
            {
                "module": completion.module.title,
                "completed_at": _when(completion.completed_at),
                "certificate_number": str(completion.certificate_number),
            }
            for completion in Completion.objects.filter(person=person)
            .select_related("module")
            .order_by("completed_at", "pk")
        ],
        "experiences": [
            {
                "module": log.module.title,
                "library": _library(log.library),
                "resource": log.resource,
                "target_group": log.get_target_group_display(),
                "headline": log.title,
                "what_tried": log.what_tried,
                "what_happened": log.what_happened,
                "lesson": log.lesson,
                "would_repeat": log.get_would_repeat_display(),
                "tried_on": log.tried_on.isoformat() if log.tried_on else None,
                "logged_at": _when(log.created_at),
            }
            for log in ExperienceLog.objects.filter(person=person)
            .select_related("module", "library__municipality")
            .order_by("created_at", "pk")
        ],
        # That a calendar feed exists; its address is a secret.
        "calendar_feed": {
            "exists": feed is not None,
            "created_at": _when(feed and feed.created_at),
        },
        "sessions_facilitated": [
            _session(session)
            for session in Session.objects.filter(facilitator=person)
            .select_related("module__programme")
            .order_by("starts_at", "pk")
        ],
    }


def _evaluation(enrolment: Enrolment) -> dict | None:
    evaluation = getattr(enrolment, "evaluation", None)
    if evaluation is None:
        return None
    return {
        "satisfaction": evaluation.satisfaction,
        "usefulness": evaluation.usefulness,
        "comment": evaluation.comment,
        "given_at": _when(evaluation.created_at),
    }


def _named(queryset, when: str) -> list[dict]:
    """Records the person is named in (as the one who made, asked for or owns them)."""
    return [
        {"id": obj.pk, "what": str(obj), "at": _when(getattr(obj, when))}
        for obj in queryset.order_by("pk")
    ]


def _records(person: Person | None, user) -> dict:
    records = {"admin_changes": []}
    if user is not None:
        records["admin_changes"] = [
            {"at": _when(entry.action_time), "object": entry.object_repr, "change": str(entry)}
            for entry in LogEntry.objects.filter(user=user).order_by("action_time", "pk")
        ]
    if person is None:
        return records
    enrolments = Enrolment.objects.select_related(*_SESSION)
    records |= {
        "rounds_created": _named(Round.objects.filter(created_by=person), "created_at"),
        "reports_requested": _named(
            Report.objects.filter(requested_by=person).select_related("round"), "created_at"
        ),
        "suggestions_rejected": _named(
            RejectedSuggestion.objects.filter(rejected_by=person).select_related(
                "offer", "competency"
            ),
            "rejected_at",
        ),
        # Other people's places: the session, not who they were.
        "enrolments_made_for_others": [
            {"session": _session(e.session), "at": _when(e.created_at)}
            for e in enrolments.filter(enrolled_by=person).order_by("pk")
        ],
        "attendance_recorded": [
            {"session": _session(e.session), "at": _when(e.attendance_recorded_at)}
            for e in enrolments.filter(attendance_recorded_by=person).order_by("pk")
        ],
        "materials_uploaded": _named(Material.objects.filter(uploaded_by=person), "created_at"),
        "usage_imports": _named(
            UsageImport.objects.filter(imported_by=person).select_related("municipality"),
            "imported_at",
        ),
        "selection_scenarios": _named(
            SelectionScenario.objects.filter(created_by=person), "created_at"
        ),
    }
    return records


def _leadership(person: Person) -> dict:
    return {
        "campaigns_owned": [
            {
                "title": campaign.title,
                "municipality": campaign.municipality.name,
                "starts_on": campaign.starts_on.isoformat(),
                "ends_on": campaign.ends_on.isoformat(),
            }
            for campaign in Campaign.objects.filter(owner=person)
            .select_related("municipality")
            .order_by("starts_on", "pk")
        ],
        "activities_owned": [
            {
                "title": activity.title,
                "campaign": activity.campaign.title,
                "due_on": activity.due_on.isoformat(),
                "status": activity.get_status_display(),
            }
            for activity in Activity.objects.filter(owner=person)
            .select_related("campaign")
            .order_by("due_on", "pk")
        ],
    }


def _audit(person: Person | None, user) -> dict:
    """Who looked at the person's data is told by when and what, not by name: the log of the
    staff's work is theirs (the CJEU, C-579/21); the person's own actions are listed in full."""
    about = AuditEvent.objects.none()
    if person is not None:
        about = AuditEvent.objects.filter(object_type="orgs.person", object_id=str(person.pk))
    by_you = AuditEvent.objects.filter(user=user) if user is not None else AuditEvent.objects.none()
    return {
        "about_you": [
            {
                "at": _when(event.at),
                "action": event.get_action_display(),
                "by_yourself": user is not None and event.user_id == user.pk,
            }
            for event in about.order_by("at", "pk")
        ],
        "by_you": [
            {
                "at": _when(event.at),
                "action": event.get_action_display(),
                "about": event.object_label,
                "address": event.path,
                "ip_address": event.ip_address,
            }
            for event in by_you.order_by("at", "pk")
        ],
    }


def person_data(*, person: Person | None = None, user=None) -> dict:
    """Everything stored about a person and their login (either may be missing: a person without
    a login, a login without a person)."""
    if person is None and user is None:
        raise ValueError("Give a person, a user or both.")
    if user is None and person is not None:
        user = person.user
    if person is None:
        person = Person.objects.filter(user=user).first()
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _when(timezone.now()),
        "person": _person(person) if person is not None else None,
        "account": _account(user) if user is not None else None,
        "role_grants": [],
        "surveys": {"invitations": [], "confidential_responses": []},
        "pilot": {},
        "offers": {"providers_maintained": []},
        "leadership": {},
    }
    if person is not None:
        data["role_grants"] = [
            {"role": grant.get_role_display(), "unit": grant.unit_name}
            for grant in person.grants.select_related("library", "municipality").order_by("pk")
        ]
        data["surveys"] = _surveys(person)
        data["pilot"] = _pilot(person)
        data["offers"] = {
            "providers_maintained": list(
                person.maintained_providers.order_by("name").values_list("name", flat=True)
            )
        }
        data["leadership"] = _leadership(person)
    data["records"] = _records(person, user)
    data["audit"] = _audit(person, user)
    return data


def dumps(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def filename(data: dict) -> str:
    stamp = timezone.localdate().isoformat()
    subject = (data["person"] or {}).get("id") or "account"
    return f"digikompas-personal-data-{subject}-{stamp}.json"


def subject_by_email(email: str):
    """The person and the login with this e-mail address (either may be None)."""
    person = Person.objects.select_related("user").filter(email__iexact=email).first()
    user = person.user if person is not None else None
    if user is None:
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is not None and person is None:
            person = Person.objects.filter(user=user).first()
    return person, user
