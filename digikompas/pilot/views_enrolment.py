"""The enrolment pages of the pilot: enrolling oneself or one's staff, cancelling a place, the
person's own page ("My pilot education") with their calendar feed and certificates, and a
session's participants for its facilitator and the coordinators (attendance and seats).

Who may do what is decided in pilot/access.py; every change of a place goes through
pilot/enrolment.py.
"""

from __future__ import annotations

import csv
import datetime
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digikompas.orgs.access import Actor, actor_for
from digikompas.orgs.models import Person
from digikompas.privacy import audit

from . import access, certificate
from . import enrolment as service
from .calendar import person_feed, session_calendar
from .enrolment import ACTIVE, EnrolmentError, waiting_positions
from .forms_enrolment import AttendanceForm, CapacityForm, EnrolPeopleForm, PersonSearchForm
from .models import CalendarFeed, Enrolment, EnrolmentStatus, Session, new_feed_token

PER_PAGE = 25
# How long after a session its facilitator still finds it on their page, to register attendance.
RECENTLY_FACILITATED = datetime.timedelta(days=30)
ICS_TYPE = "text/calendar; charset=utf-8"


# -- helpers --------------------------------------------------------------------------------------


def when(session: Session) -> str:
    """The session's start in words for messages: its local date and time."""
    start = timezone.localtime(session.starts_at)
    return _("%(date)s at %(time)s") % {
        "date": date_format(start, "DATE_FORMAT"),
        "time": time_format(start, "H:i"),
    }


def _own_person(actor: Actor) -> Person:
    """The actor's person: a login without one has no places, feed or certificates."""
    if actor.person is None:
        raise PermissionDenied
    return actor.person


def _back(request, fallback: str = "pilot:mine", *args):
    """To the page named in `next` when it is on this site, else to the fallback."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback, *args)


def _outcome(enrolment: Enrolment, *, own: bool) -> str:
    """What an enrolment came to, in a sentence."""
    session = enrolment.session
    values = {
        "name": enrolment.person.name,
        "module": session.module.title,
        "when": when(session),
    }
    if enrolment.status == EnrolmentStatus.ENROLLED:
        if own:
            return _("You have a seat in “%(module)s” on %(when)s.") % values
        return _("%(name)s has a seat in “%(module)s” on %(when)s.") % values
    values["position"] = waiting_positions([enrolment]).get(enrolment.pk, "?")
    if own:
        return (
            _(
                "The session is full. You are number %(position)s on the waiting list for "
                "“%(module)s”."
            )
            % values
        )
    return (
        _(
            "The session is full. %(name)s is number %(position)s on the waiting list for "
            "“%(module)s”."
        )
        % values
    )


def _person_to_enrol(request, actor: Actor) -> Person:
    """The person named in the post (`person`), or the actor themselves."""
    chosen = request.POST.get("person", "").strip()
    if not chosen or (actor.person is not None and chosen == str(actor.person.pk)):
        return _own_person(actor)
    if not access.enrols_others(actor):
        raise PermissionDenied
    if not chosen.isdigit():
        raise Http404
    person = access.enrollable_people(actor).filter(pk=int(chosen)).first()
    if person is None:
        raise Http404  # not theirs to enrol: not even confirmed to exist
    return person


# -- enrolling and cancelling ---------------------------------------------------------------------


@require_POST
@login_required
def enrol(request, pk):
    """Enrol oneself, or (field `person`) someone one may enrol, in a session; back to `next`."""
    actor = actor_for(request.user)
    session = access.get_session(actor, pk)
    person = _person_to_enrol(request, actor)
    try:
        enrolment = service.enrol(session, person, by=actor.person)
    except EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _outcome(enrolment, own=person.pk == actor.person.pk))
    return _back(request)


@require_POST
@login_required
def cancel(request, pk):
    """Give up a place (one's own, one's staff's, or in a session one runs); back to `next`."""
    actor = actor_for(request.user)
    enrolment = access.get_enrolment(actor, pk)
    own = actor.person is not None and enrolment.person_id == actor.person.pk
    values = {
        "name": enrolment.person.name,
        "module": enrolment.session.module.title,
        "when": when(enrolment.session),
    }
    if enrolment.status == EnrolmentStatus.CANCELLED:
        messages.info(request, _("The place was already cancelled."))
        return _back(request)
    try:
        promoted = service.cancel(enrolment, by=actor.person)
    except EnrolmentError as error:
        messages.error(request, str(error))
        return _back(request)
    if own:
        messages.success(
            request, _("Your place in “%(module)s” on %(when)s is cancelled.") % values
        )
    else:
        messages.success(
            request, _("The place of %(name)s in “%(module)s” on %(when)s is cancelled.") % values
        )
    # Who moved up is for those who run the session; a participant is not told another's name.
    if promoted is not None and access.runs(actor, enrolment.session):
        messages.info(
            request,
            _("%(name)s moved up from the waiting list and was told by e-mail.")
            % {"name": promoted.person.name},
        )
    return _back(request)


@require_http_methods(["GET", "POST"])
@login_required
def enrol_staff(request, pk):
    """A leader or coordinator chooses people to enrol in the session and sees, per person,
    whether they got a seat, a place on the waiting list, or why not."""
    actor = actor_for(request.user)
    if not access.enrols_others(actor):
        raise PermissionDenied
    session = access.get_session(actor, pk)
    candidates = access.enrollable_people(actor)
    if actor.person is not None:
        candidates = candidates.exclude(pk=actor.person.pk)
    outcomes = []
    form = EnrolPeopleForm(request.POST if request.method == "POST" else None, people=candidates)
    if request.method == "POST" and form.is_valid():
        for person in sorted(form.cleaned_data["people"], key=lambda p: p.name):
            try:
                enrolment = service.enrol(session, person, by=actor.person)
            except EnrolmentError as error:
                outcomes.append((person, "error", str(error)))
            else:
                outcomes.append((person, enrolment.status, _outcome(enrolment, own=False)))
    search = PersonSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    listed = candidates
    for word in query.split():
        listed = listed.filter(Q(name__icontains=word) | Q(email__icontains=word))
    page = Paginator(
        listed.select_related("library__municipality").order_by("name", "pk"), PER_PAGE
    ).get_page(request.GET.get("page"))
    places = {
        e.person_id: e
        for e in session.enrolments.filter(person__in=[p.pk for p in page], status__in=ACTIVE)
    }
    positions = waiting_positions(places.values())
    rows = []
    for person in page:
        place = places.get(person.pk)
        rows.append((person, place, positions.get(place.pk) if place else None))
    context = {
        "session": session,
        "module": session.module,
        "seats": service.seats(session),
        "form": form,
        "search": search,
        "query": query,
        "page": page,
        "rows": rows,
        "outcomes": outcomes,
        "closed": session.has_started(),
        "chosen": {str(pk) for pk in request.POST.getlist("people")} if form.errors else set(),
    }
    if rows:  # the staff's names and places: logged as the staff list is
        audit.record(request, audit.Action.VIEWED_STAFF_LIST, obj=session)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "pilot/enrolment/enrol_staff.html", context, status=status)


# -- the person's own page ------------------------------------------------------------------------


def _feed_addresses(request, feed: CalendarFeed) -> tuple[str, str]:
    """The feed's https address and the same as webcal://, which opens a calendar program."""
    address = request.build_absolute_uri(reverse("pilot:feed", args=[feed.token]))
    return address, "webcal://" + address.split("://", 1)[1]


@require_GET
@login_required
def mine(request):
    actor = actor_for(request.user)
    person = _own_person(actor)
    now = timezone.now()
    # Made when the person asks for it (feed_reset): looking at a page changes nothing.
    feed = CalendarFeed.objects.filter(person=person).first()
    places = list(
        person.enrolments.filter(status__in=ACTIVE)
        .select_related("session__module__programme", "session__facilitator")
        .order_by("session__starts_at", "pk")
    )
    positions = waiting_positions(places)
    upcoming = [(e, positions.get(e.pk)) for e in places if e.session.ends_at >= now]
    past = [e for e in places if e.session.ends_at < now and e.status == EnrolmentStatus.ENROLLED][
        ::-1
    ]
    https_address, webcal_address = _feed_addresses(request, feed) if feed else ("", "")
    context = {
        "person": person,
        "upcoming": upcoming,
        "past": past,
        "completions": person.completions.select_related("module__programme", "session").order_by(
            "-completed_at"
        ),
        "feed_https": https_address,
        "feed_webcal": webcal_address,
        "enrols_others": access.enrols_others(actor),
        "facilitated": Session.objects.filter(
            facilitator=person, ends_at__gte=now - RECENTLY_FACILITATED
        )
        .select_related("module__programme")
        .order_by("starts_at"),
    }
    if context["enrols_others"]:
        staff = (
            access.visible_enrolments(actor)
            .filter(
                person__in=access.enrollable_people(actor),
                status__in=ACTIVE,
                session__ends_at__gte=now,
            )
            .exclude(person=person)
            .select_related("person__library", "session__module")
            .order_by("session__starts_at", "person__name", "pk")
        )
        staff_page = Paginator(staff, PER_PAGE).get_page(request.GET.get("page"))
        positions = waiting_positions(staff_page.object_list)
        context["staff_page"] = staff_page
        context["staff_rows"] = [(e, positions.get(e.pk)) for e in staff_page]
    return render(request, "pilot/enrolment/mine.html", context)


@require_POST
@login_required
def feed_reset(request):
    """The person's calendar feed at a secret address: made on the first call, and replaced
    by a new one on the next (the old address then stops working)."""
    person = _own_person(actor_for(request.user))
    _feed, created = CalendarFeed.objects.update_or_create(
        person=person, defaults={"token": new_feed_token()}
    )
    if created:
        message = _("Your calendar has an address: subscribe to it in your calendar program.")
    else:
        message = _(
            "Your calendar has a new address. The old address no longer works: subscribe to the "
            "new one in your calendar program."
        )
    messages.success(request, message)
    return redirect(reverse("pilot:mine") + "#calendar")


# -- calendars ------------------------------------------------------------------------------------


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def session_ics(request, pk):
    """The session as a calendar file; marked confirmed or tentative for someone with a place."""
    actor = actor_for(request.user)
    session = access.get_session(actor, pk)
    status = None
    if actor.person is not None:
        place = session.enrolments.filter(person=actor.person, status__in=ACTIVE).first()
        if place is not None:
            status = "CONFIRMED" if place.status == EnrolmentStatus.ENROLLED else "TENTATIVE"
    start = timezone.localtime(session.starts_at)
    filename = f"{slugify(session.module.title_da)[:60] or 'session'}-{start:%Y-%m-%d}.ics"
    return _ics_response(session_calendar(session, status=status), filename)


@require_GET
def feed(request, token):
    """A person's calendar feed for calendar programs, which cannot log in: the secret token
    in the address is the key, so an unknown one is simply not found."""
    calendar_feed = CalendarFeed.objects.select_related("person").filter(token=token).first()
    if calendar_feed is None:
        raise Http404
    response = HttpResponse(person_feed(calendar_feed.person), content_type=ICS_TYPE)
    response["Content-Disposition"] = 'inline; filename="digikompas.ics"'
    # The feed is personal: no shared cache may keep it.
    response["Cache-Control"] = "private, no-cache"
    return response


# -- running a session ----------------------------------------------------------------------------


def _participants(session: Session):
    seated = list(
        session.enrolments.filter(status=EnrolmentStatus.ENROLLED)
        .select_related("person__library__municipality")
        .order_by("person__name", "pk")
    )
    waiting = list(
        session.enrolments.filter(status=EnrolmentStatus.WAITLISTED)
        .select_related("person__library__municipality")
        .order_by("waitlisted_at", "pk")
    )
    return seated, waiting


@require_http_methods(["GET", "POST"])
@login_required
def participants(request, pk):
    """The session's seats and waiting list; the facilitator or a coordinator registers
    attendance (`action=attendance`) and changes the number of seats (`action=capacity`)."""
    actor = actor_for(request.user)
    session = access.get_session_to_run(actor, pk)
    seated, waiting = _participants(session)
    action = request.POST.get("action") if request.method == "POST" else None
    if action not in (None, "attendance", "capacity"):
        return HttpResponseBadRequest()
    attendance_form = AttendanceForm(
        request.POST if action == "attendance" else None, session=session, enrolments=seated
    )
    capacity_form = CapacityForm(
        request.POST if action == "capacity" else None, initial={"capacity": session.capacity}
    )
    if action == "attendance" and attendance_form.is_valid():
        try:
            changed = service.record_attendance(
                session, attendance_form.attendance(), by=actor.person
            )
        except EnrolmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "Attendance is saved: %(count)s person changed.",
                    "Attendance is saved: %(count)s people changed.",
                    changed,
                )
                % {"count": changed},
            )
        return redirect("pilot:participants", pk=session.pk)
    if action == "capacity" and capacity_form.is_valid():
        capacity = capacity_form.cleaned_data["capacity"]
        try:
            promoted = service.change_capacity(session, capacity)
        except EnrolmentError as error:
            capacity_form.add_error("capacity", str(error))
        else:
            text = _("The session now has %(seats)s seats.") % {"seats": capacity}
            if promoted:
                text += " " + _("Moved up from the waiting list and told by e-mail: %(names)s.") % {
                    "names": ", ".join(e.person.name for e in promoted)
                }
            messages.success(request, text)
            return redirect("pilot:participants", pk=session.pk)
    context = {
        "session": session,
        "module": session.module,
        "seats": service.seats(session),
        "seated": seated,
        "waiting": waiting,
        "cancelled": session.enrolments.filter(status=EnrolmentStatus.CANCELLED).count(),
        "attendance_form": attendance_form,
        "capacity_form": capacity_form,
        "started": session.has_started(),
        "enrols_others": access.enrols_others(actor),
    }
    status = 400 if attendance_form.errors or capacity_form.errors else 200
    audit.record(request, audit.Action.VIEWED_PARTICIPANTS, obj=session)
    return render(request, "pilot/enrolment/participants.html", context, status=status)


@require_GET
@login_required
def participants_csv(request, pk):
    """The seats and the waiting list as a CSV file (UTF-8 with BOM, for Excel)."""
    actor = actor_for(request.user)
    session = access.get_session_to_run(actor, pk)
    seated, waiting = _participants(session)
    attended = {True: _("Attended"), False: _("Absent"), None: ""}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            _("Status"),
            _("Number on the waiting list"),
            _("Name"),
            _("E-mail address"),
            _("Library"),
            _("Municipality"),
            _("Enrolled"),
            _("Attendance"),
        ]
    )
    rows = [(e, "") for e in seated] + [(e, n) for n, e in enumerate(waiting, start=1)]
    audit.record(request, audit.Action.EXPORTED_PARTICIPANTS, obj=session)
    for enrolment, position in rows:
        library = enrolment.person.library
        writer.writerow(
            [
                enrolment.get_status_display(),
                position,
                enrolment.person.name,
                enrolment.person.email,
                library.name if library else "",
                library.municipality.name if library else "",
                timezone.localtime(enrolment.created_at).strftime("%Y-%m-%d %H:%M"),
                attended[enrolment.attended],
            ]
        )
    start = timezone.localtime(session.starts_at)
    filename = f"participants-{slugify(session.module.title_da)[:60]}-{start:%Y-%m-%d}.csv"
    response = HttpResponse(
        out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- certificates ---------------------------------------------------------------------------------


@require_GET
@login_required
def certificate_pdf(request, pk):
    """The certificate of a module the person completed, as PDF in the page's language."""
    completion = access.get_own_completion(actor_for(request.user), pk)
    response = HttpResponse(certificate.render_pdf(completion), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.filename(completion)}"'
    return response
