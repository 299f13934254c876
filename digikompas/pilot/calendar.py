"""The pilot's sessions as iCalendar (RFC 5545): one session as a file to add to a calendar, and
a person's feed that calendar programs subscribe to by its secret address.

Every event keeps the session's UID and SEQUENCE, so a calendar that already has the session
replaces it when the session changes instead of showing it twice. Times are written in UTC
(`…Z`), which every calendar program reads without a time-zone definition.

The feed holds the sessions where the person has a seat (STATUS:CONFIRMED), is on the waiting
list (STATUS:TENTATIVE) or is the facilitator. Cancelled places are left out rather than sent as
STATUS:CANCELLED: a subscribed calendar replaces its copy of the feed on every refresh, so an
event that is no longer in the feed disappears from it, and a cancelled place shown struck
through in some programs and not in others would only confuse.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from digikompas.orgs.models import Person

from .models import Enrolment, EnrolmentStatus, Session

PRODID = "-//digikompas//Pilot education//DA"
# How often a subscribed calendar should fetch the feed again.
REFRESH = datetime.timedelta(hours=6)


def session_uid(session: Session) -> str:
    return f"{session.uid}@digikompas"


def mine_url() -> str:
    """The person's own pilot page, where they see and cancel their places."""
    return settings.SITE_ROOT + reverse("pilot:mine")


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def _event(session: Session, *, status: str | None, note: str = "", stamp=None) -> Event:
    module = session.module
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", _utc(stamp or timezone.now()))
    event.add("dtstart", _utc(session.starts_at))
    event.add("dtend", _utc(session.ends_at))
    event.add("summary", module.title)
    event.add("location", session.place or session.meeting_url)
    event.add("url", session.meeting_url or mine_url())
    lines = [module.programme.title]
    if note:
        lines.append(note)
    if session.place and session.meeting_url:
        lines.append(_("Online meeting: %(link)s") % {"link": session.meeting_url})
    if session.facilitator_id:
        lines.append(_("Facilitator: %(name)s") % {"name": session.facilitator.name})
    lines.append(_("See or cancel your place: %(link)s") % {"link": mine_url()})
    event.add("description", "\n".join(lines))
    if status:
        event.add("status", status)
    return event


def session_calendar(session: Session, *, status: str | None = None) -> bytes:
    """The session as an .ics file with one event; `status` (CONFIRMED, TENTATIVE) when the file
    is for someone whose place is known."""
    calendar = _calendar(_("digikompas – pilot education"))
    calendar.add_component(_event(session, status=status))
    return calendar.to_ical()


def person_feed(person: Person) -> bytes:
    """The person's calendar: their seats, their places on waiting lists and the sessions they
    facilitate, past and coming."""
    calendar = _calendar(_("digikompas – my pilot education"))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    stamp = timezone.now()
    seen = set()
    enrolments = (
        Enrolment.objects.filter(
            person=person, status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
        )
        .select_related("session__module__programme", "session__facilitator")
        .order_by("session__starts_at", "pk")
    )
    for enrolment in enrolments:
        waiting = enrolment.status == EnrolmentStatus.WAITLISTED
        note = _("You are on the waiting list.") if waiting else _("You have a seat.")
        calendar.add_component(
            _event(
                enrolment.session,
                status="TENTATIVE" if waiting else "CONFIRMED",
                note=note,
                stamp=stamp,
            )
        )
        seen.add(enrolment.session_id)
    facilitated = (
        Session.objects.filter(facilitator=person)
        .exclude(pk__in=seen)
        .select_related("module__programme", "facilitator")
    )
    for session in facilitated:
        calendar.add_component(
            _event(session, status="CONFIRMED", note=_("You facilitate this session."), stamp=stamp)
        )
    return calendar.to_ical()
