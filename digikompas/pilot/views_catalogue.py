"""The pilot's catalogue: programmes, their modules and sessions for everyone logged in, with
enrolment from a module's page; creating and changing them for education coordinators; and the
modules suggested for a person's own gaps and for the units a leader leads. Who may do what is
decided in access.py; seats change only through enrolment.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from digikompas.frameworks.models import Competency
from digikompas.orgs.access import actor_for
from digikompas.orgs.models import JobRole, UserGroup

from . import access, enrolment, targeting
from .enrolment import ACTIVE, EnrolmentError
from .forms import ModuleForm, ProgrammeForm, SessionForm
from .models import Enrolment, EnrolmentStatus, Module, Programme, Session

PER_PAGE = 25


def _competencies() -> Prefetch:
    return Prefetch(
        "competencies",
        queryset=Competency.objects.order_by("domain__position", "position", "code"),
    )


def _group_names(values: list[str]) -> list[str]:
    return [UserGroup(value).label for value in values if value in UserGroup.values]


def _active_count(sessions) -> int:
    return Enrolment.objects.filter(session__in=sessions, status__in=ACTIVE).count()


# -- programmes ---------------------------------------------------------------------------------


@require_GET
@login_required
def programme_list(request):
    actor = actor_for(request.user)
    programmes = Programme.objects.annotate(module_count=Count("modules")).order_by(
        "-starts_on", "key"
    )
    page = Paginator(programmes, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "coordinates": access.coordinates(actor),
        "has_person": actor.person is not None,
        "has_examples": any(programme.is_example for programme in page),
    }
    return render(request, "pilot/catalogue/programme_list.html", context)


@require_GET
@login_required
def programme_detail(request, pk):
    actor = actor_for(request.user)
    programme = access.get_programme(actor, pk)
    now = timezone.now()
    upcoming = (
        Session.objects.filter(starts_at__gt=now)
        .select_related("facilitator")
        .order_by("starts_at", "pk")
    )
    modules = list(
        programme.modules.prefetch_related(
            _competencies(), Prefetch("sessions", queryset=upcoming, to_attr="upcoming")
        )
    )
    rows = [
        {
            "module": module,
            "target_groups": _group_names(module.target_groups),
            "sessions": [(session, enrolment.seats(session)) for session in module.upcoming],
        }
        for module in modules
    ]
    suggested = None
    if actor.person is not None:
        suggested = targeting.for_person(actor.person, modules=programme.modules.all())
    coordinates = access.coordinates(actor)
    context = {
        "programme": programme,
        "modules": rows,
        "target_roles": [JobRole(role).label for role in programme.target_roles],
        "coordinates": coordinates,
        "reads_effect": access.reads_effect(actor),
        "suggested": suggested,
    }
    return render(request, "pilot/catalogue/programme_detail.html", context)


def _save(form, field: str, duplicate: str):
    """The object of a valid form, saved; None (and `duplicate` on `field`) when another row took
    its unique value between the form's check and the save."""
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error(field, duplicate)
        return None


@require_http_methods(["GET", "POST"])
@login_required
def programme_create(request):
    access.require_coordinator(actor_for(request.user))
    return _programme_form(request, programme=None)


@require_http_methods(["GET", "POST"])
@login_required
def programme_edit(request, pk):
    actor = actor_for(request.user)
    access.require_coordinator(actor)
    return _programme_form(request, programme=access.get_programme(actor, pk))


def _programme_form(request, *, programme):
    # The form gets its own copy: validation writes the posted values into its instance, and the
    # page around a refused form shows the stored title.
    instance = None if programme is None else Programme.objects.get(pk=programme.pk)
    form = ProgrammeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, "key", _("There is already a programme with this key."))
        if saved is not None:
            if programme is None:
                text = _("The programme “%(title)s” was created. Now add its modules.")
            else:
                text = _("The programme “%(title)s” was saved.")
            messages.success(request, text % {"title": saved.title})
            return redirect("pilot:programme_detail", pk=saved.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "pilot/catalogue/programme_form.html",
        {"form": form, "programme": programme},
        status=status,
    )


# -- modules ------------------------------------------------------------------------------------


@require_GET
@login_required
def module_detail(request, pk):
    actor = actor_for(request.user)
    module = access.get_module(actor, pk)
    programme = module.programme
    now = timezone.now()
    sessions = list(module.sessions.select_related("facilitator").order_by("starts_at", "pk"))
    own = {}
    if actor.person is not None:
        own = {
            e.session_id: e
            for e in Enrolment.objects.filter(
                person=actor.person, session__module=module
            ).select_related("evaluation", "session")
        }
    # The place someone holds in the module: one session at a time (enrolment.enrol).
    holds = next((e for e in own.values() if e.status in ACTIVE), None)
    rows = []
    for session in sessions:
        mine = own.get(session.pk)
        has_seat = mine is not None and mine.status == EnrolmentStatus.ENROLLED
        rows.append(
            {
                "session": session,
                "seats": enrolment.seats(session),
                "upcoming": session.starts_at > now,
                "enrolment": mine,
                "active": mine is not None and mine.status in ACTIVE,
                "shows_link": has_seat or access.runs(actor, session),
                "can_enrol": actor.person is not None and holds is None,
                "runs": access.runs(actor, session),
            }
        )
    materials = module.materials.filter(pk__in=access.readable_materials(actor).values("pk"))
    context = {
        "module": module,
        "programme": programme,
        "competencies": module.competencies.order_by("domain__position", "position", "code"),
        "target_groups": _group_names(module.target_groups),
        "sessions": rows,
        "has_person": actor.person is not None,
        "enrols_others": access.enrols_others(actor),
        "coordinates": access.coordinates(actor),
        "materials": materials.order_by("title_da", "pk"),
        "hidden_materials": module.materials.exclude(pk__in=materials.values("pk")).exists(),
        "completed": access.completed(actor, module),
        # Attended sessions, each with whether the person has evaluated it.
        "attended": [(e, hasattr(e, "evaluation")) for e in own.values() if e.attended],
    }
    return render(request, "pilot/catalogue/module_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def module_create(request, pk):
    actor = actor_for(request.user)
    access.require_coordinator(actor)
    return _module_form(request, programme=access.get_programme(actor, pk), module=None)


@require_http_methods(["GET", "POST"])
@login_required
def module_edit(request, pk):
    actor = actor_for(request.user)
    access.require_coordinator(actor)
    module = access.get_module(actor, pk)
    programme = access.get_programme(actor, module.programme_id)
    return _module_form(request, programme=programme, module=module)


def _module_form(request, *, programme, module):
    instance = None if module is None else Module.objects.get(pk=module.pk)
    form = ModuleForm(request.POST or None, instance=instance, programme=programme)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if module is None:
            text = _("The module “%(title)s” was created. Now add its sessions.")
        else:
            text = _("The module “%(title)s” was saved.")
        messages.success(request, text % {"title": saved.title})
        return redirect("pilot:module_detail", pk=saved.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "programme": programme, "module": module}
    return render(request, "pilot/catalogue/module_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def module_delete(request, pk):
    actor = actor_for(request.user)
    access.require_coordinator(actor)
    module = access.get_module(actor, pk)
    if request.method == "POST":
        with transaction.atomic():
            # The sessions' rows are locked, as enrolment.enrol locks them: nobody can take a seat
            # between the count and the delete.
            sessions = list(module.sessions.select_for_update().values_list("pk", flat=True))
            taken = _active_count(sessions)
            if not taken:
                module.delete()
        if taken:
            messages.error(request, _module_refusal(taken))
            return redirect("pilot:module_detail", pk=module.pk)
        messages.success(
            request, _("The module “%(title)s” was deleted.") % {"title": module.title}
        )
        return redirect("pilot:programme_detail", pk=module.programme_id)
    taken = _active_count(module.sessions.all())
    context = {"module": module, "programme": module.programme, "refusal": _module_refusal(taken)}
    return render(request, "pilot/catalogue/module_delete.html", context)


def _module_refusal(taken: int) -> str:
    if not taken:
        return ""
    return ngettext(
        "The module cannot be deleted: %(count)s person has a place in its sessions or is on a "
        "waiting list. Cancel the place first.",
        "The module cannot be deleted: %(count)s people have places in its sessions or are on "
        "waiting lists. Cancel their places first.",
        taken,
    ) % {"count": taken}


# -- sessions -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def session_create(request, pk):
    actor = actor_for(request.user)
    access.require_coordinator(actor)
    module = access.get_module(actor, pk)
    form = SessionForm(request.POST or None, module=module)
    if request.method == "POST" and form.is_valid():
        session = form.save()
        messages.success(
            request,
            _("The session on %(when)s was added.") % {"when": _when(session)},
        )
        return redirect("pilot:module_detail", pk=module.pk)
    return _session_form_page(request, form, module=module, session=None)


@require_http_methods(["GET", "POST"])
@login_required
def session_edit(request, pk):
    actor = actor_for(request.user)
    access.require_coordinator(actor)
    session = access.get_session(actor, pk)
    module = session.module
    form = SessionForm(
        request.POST or None, instance=Session.objects.get(pk=session.pk), module=module
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_session(form)
        if saved is not None:
            messages.success(
                request, _("The session on %(when)s was saved.") % {"when": _when(saved)}
            )
            return redirect("pilot:module_detail", pk=module.pk)
    return _session_form_page(request, form, module=module, session=session)


# What a calendar shows of a session: a change to one of these is a new version of the event.
CALENDAR_FIELDS = ("starts_at", "ends_at", "place", "meeting_url")


def _save_session(form: SessionForm) -> Session | None:
    """The changed session of a valid form, saved; None, with the reason on `capacity`, when it
    would have fewer seats than people already have. More seats move people up from the waiting
    list (enrolment.change_capacity). A new time or place bumps the session's iCalendar SEQUENCE,
    so calendars replace the event they hold, and tells the people enrolled by e-mail."""
    session = form.instance
    try:
        with transaction.atomic():
            stored = Session.objects.select_for_update().get(pk=session.pk)
            if form.cleaned_data["capacity"] != stored.capacity:
                enrolment.change_capacity(stored, form.cleaned_data["capacity"])
            session.sequence = stored.sequence
            moved = any(getattr(session, f) != getattr(stored, f) for f in CALENDAR_FIELDS)
            if moved:
                session.sequence += 1
            form.save()
            if moved:
                enrolment.notify_change(session)
    except EnrolmentError as error:
        form.add_error("capacity", str(error))
        return None
    return session


def _session_form_page(request, form, *, module, session):
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "module": module,
        "programme": module.programme,
        "session": session,
        "seats": enrolment.seats(session) if session is not None else None,
    }
    return render(request, "pilot/catalogue/session_form.html", context, status=status)


def _when(session: Session) -> str:
    starts = timezone.localtime(session.starts_at)
    return f"{formats.date_format(starts)} {formats.time_format(starts)}"


@require_http_methods(["GET", "POST"])
@login_required
def session_delete(request, pk):
    actor = actor_for(request.user)
    access.require_coordinator(actor)
    session = access.get_session(actor, pk)
    module = session.module
    if request.method == "POST":
        with transaction.atomic():
            # Locked as enrolment.enrol locks it: nobody takes a seat between count and delete.
            list(Session.objects.select_for_update().filter(pk=session.pk).values_list("pk"))
            taken = _active_count([session.pk])
            if not taken:
                session.delete()
        if taken:
            messages.error(request, _session_refusal(taken))
            return redirect("pilot:module_detail", pk=module.pk)
        messages.success(
            request, _("The session on %(when)s was deleted.") % {"when": _when(session)}
        )
        return redirect("pilot:module_detail", pk=module.pk)
    context = {
        "session": session,
        "module": module,
        "programme": module.programme,
        "refusal": _session_refusal(_active_count([session.pk])),
    }
    return render(request, "pilot/catalogue/session_delete.html", context)


def _session_refusal(taken: int) -> str:
    if not taken:
        return ""
    return ngettext(
        "The session cannot be deleted: %(count)s person has a place or is on the waiting list. "
        "Cancel the place first.",
        "The session cannot be deleted: %(count)s people have places or are on the waiting "
        "list. Cancel their places first.",
        taken,
    ) % {"count": taken}


# -- suggestions --------------------------------------------------------------------------------


@require_GET
@login_required
def suggestions(request):
    """Modules for the person's own gaps, and for the published gaps of the units they lead."""
    actor = actor_for(request.user)
    if actor.person is None:
        raise PermissionDenied
    context = {
        "own": targeting.for_person(actor.person),
        "units": targeting.for_units(actor),
        # A suggested module the person already has a place in says so.
        "placed_modules": set(
            Enrolment.objects.filter(person=actor.person, status__in=enrolment.ACTIVE).values_list(
                "session__module_id", flat=True
            )
        ),
        "minimum": settings.ANONYMITY_MINIMUM,
    }
    return render(request, "pilot/catalogue/suggestions.html", context)
