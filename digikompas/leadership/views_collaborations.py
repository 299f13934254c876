"""The pages of resource collaborations: the list, a collaboration with its members over time,
rule, licences and invoices split between the members; creating and editing it, its members and
invoices (the municipal leader of the coordinating municipality); the export of the invoices and
shares; a member's comparison with its anonymised peers. Who may do what is decided in
access.py."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digikompas.orgs.access import actor_for
from digikompas.orgs.models import Municipality

from . import access, licences_export, peers
from .costsplit import SplitError, store_split
from .forms_licences import CollaborationForm, InvoiceForm, MembershipForm
from .models import Collaboration, Invoice, InvoiceShare, Membership
from .views_licences import _row


def _active_today(collaboration: Collaboration, today: datetime.date) -> list[Membership]:
    return [m for m in collaboration.memberships.all() if m.active_on(today)]


@require_GET
@login_required
def collaboration_list(request):
    actor = actor_for(request.user)
    access.require_toolkit(actor)
    today = datetime.date.today()
    collaborations = (
        access.readable_collaborations(actor)
        .select_related("coordinator")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("municipality"))
        )
        .annotate(licence_count=Count("licences", distinct=True))
        .order_by("name")
    )
    rows = [(c, _active_today(c, today)) for c in collaborations]
    context = {
        "rows": rows,
        "can_create": bool(access.managed_municipality_ids(actor)),
    }
    return render(request, "leadership/collaborations/collaboration_list.html", context)


@require_GET
@login_required
def collaboration_detail(request, pk):
    actor = actor_for(request.user)
    collaboration = access.get_collaboration(actor, pk)
    today = datetime.date.today()
    memberships = list(collaboration.memberships.select_related("municipality"))
    licences = list(
        collaboration.licences.select_related("resource", "collaboration").order_by(
            "resource__name", "-starts_on"
        )
    )
    invoices = list(
        Invoice.objects.filter(licence__collaboration=collaboration)
        .select_related("licence__resource")
        .prefetch_related(
            Prefetch("shares", queryset=InvoiceShare.objects.select_related("municipality"))
        )
    )
    for invoice in invoices:
        invoice.share_list = list(invoice.shares.all())
        invoice.share_sum = sum((s.amount for s in invoice.share_list), Decimal("0.00"))
    # The members the viewer may compare: those whose toolkit it reads.
    readable = access.readable_municipality_ids(actor)
    comparable = sorted(
        {m.municipality for m in memberships if readable is None or m.municipality_id in readable},
        key=lambda m: m.name,
    )
    context = {
        "collaboration": collaboration,
        "memberships": memberships,
        "today": today,
        "licence_rows": [_row(licence, None, actor) for licence in licences],
        "invoices": invoices,
        "can_change": access.can_change_collaboration(actor, collaboration),
        "comparable": comparable,
        "has_examples": collaboration.is_example,
    }
    return render(request, "leadership/collaborations/collaboration_detail.html", context)


# -- writing collaborations ---------------------------------------------------------------------


def _coordinators(actor):
    return Municipality.objects.filter(pk__in=access.managed_municipality_ids(actor)).order_by(
        "name"
    )


@require_http_methods(["GET", "POST"])
@login_required
def collaboration_create(request):
    actor = actor_for(request.user)
    coordinators = _coordinators(actor)
    if not coordinators:
        raise PermissionDenied
    form = CollaborationForm(request.POST or None, coordinators=coordinators)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            collaboration = form.save()
            # The coordinating municipality is a member: its leaders read the collaboration.
            Membership.objects.create(
                collaboration=collaboration,
                municipality=collaboration.coordinator,
                joined_on=form.cleaned_data["joined_on"],
            )
        messages.success(
            request,
            _("The collaboration “%(name)s” was created. Now add its members.")
            % {"name": collaboration.name},
        )
        return redirect("leadership:collaboration_detail", pk=collaboration.pk)
    return _form_page(request, "collaboration_form.html", form, collaboration=None)


@require_http_methods(["GET", "POST"])
@login_required
def collaboration_edit(request, pk):
    actor = actor_for(request.user)
    collaboration = access.get_collaboration(actor, pk)
    access.require_collaboration_manager(actor, collaboration)
    # The coordinator is one of its members.
    members = (
        Municipality.objects.filter(collaboration_memberships__collaboration=collaboration)
        .distinct()
        .order_by("name")
    )
    form = CollaborationForm(
        request.POST or None,
        instance=Collaboration.objects.get(pk=collaboration.pk),
        coordinators=members,
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(
            request, _("The collaboration “%(name)s” was saved.") % {"name": saved.name}
        )
        return redirect("leadership:collaboration_detail", pk=saved.pk)
    return _form_page(request, "collaboration_form.html", form, collaboration=collaboration)


def _form_page(request, template, form, *, collaboration, **more):
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "collaboration": collaboration, **more}
    return render(request, f"leadership/collaborations/{template}", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def membership_create(request, pk):
    actor = actor_for(request.user)
    collaboration = access.get_collaboration(actor, pk)
    access.require_collaboration_manager(actor, collaboration)
    form = MembershipForm(request.POST or None, collaboration=collaboration)
    if request.method == "POST" and form.is_valid():
        membership = form.save()
        messages.success(
            request,
            _("%(name)s is now a member of the collaboration from %(date)s.")
            % {"name": membership.municipality.name, "date": membership.joined_on},
        )
        return redirect("leadership:collaboration_detail", pk=collaboration.pk)
    return _form_page(
        request, "membership_form.html", form, collaboration=collaboration, membership=None
    )


@require_http_methods(["GET", "POST"])
@login_required
def membership_edit(request, pk, membership):
    actor = actor_for(request.user)
    collaboration = access.get_collaboration(actor, pk)
    access.require_collaboration_manager(actor, collaboration)
    try:
        instance = collaboration.memberships.select_related("municipality").get(pk=membership)
    except Membership.DoesNotExist:
        raise Http404 from None
    form = MembershipForm(request.POST or None, instance=instance, collaboration=collaboration)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(
            request,
            _("The membership of %(name)s was saved. Invoices already split keep their shares.")
            % {"name": saved.municipality.name},
        )
        return redirect("leadership:collaboration_detail", pk=collaboration.pk)
    return _form_page(
        request, "membership_form.html", form, collaboration=collaboration, membership=instance
    )


@require_http_methods(["GET", "POST"])
@login_required
def invoice_create(request, pk):
    """A new invoice of one of the collaboration's licences, split between the members when it
    is saved; an invoice that cannot be split is not saved."""
    actor = actor_for(request.user)
    collaboration = access.get_collaboration(actor, pk)
    access.require_collaboration_manager(actor, collaboration)
    form = InvoiceForm(request.POST or None, collaboration=collaboration)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                invoice = form.save()
                shares = store_split(invoice)
        except SplitError as error:
            form.add_error(None, _("The invoice cannot be split: %(reason)s") % {"reason": error})
        else:
            messages.success(
                request,
                _("The invoice of %(amount)s kr. was saved and split between %(count)d members.")
                % {"amount": invoice.amount, "count": len(shares)},
            )
            return redirect("leadership:collaboration_detail", pk=collaboration.pk)
    return _form_page(
        request,
        "invoice_form.html",
        form,
        collaboration=collaboration,
        has_licences=collaboration.licences.exists(),
    )


# -- export and peers ---------------------------------------------------------------------------


@require_GET
@login_required
def collaboration_export(request, pk, file_format):
    actor = actor_for(request.user)
    collaboration = access.get_collaboration(actor, pk)
    if file_format not in licences_export.FORMATS:
        raise Http404
    data, filename, content_type = licences_export.render(collaboration, file_format)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def collaboration_peers(request, pk, code):
    """A member (a municipality whose toolkit the viewer reads) beside its anonymised peers."""
    actor = actor_for(request.user)
    collaboration = access.get_collaboration(actor, pk)
    municipality = access.get_municipality(actor, code)
    if not collaboration.memberships.filter(municipality=municipality).exists():
        raise Http404
    context = {
        "collaboration": collaboration,
        "municipality": municipality,
        "comparisons": peers.compare(collaboration, municipality),
        "minimum": max(settings.ANONYMITY_MINIMUM, 3),
    }
    return render(request, "leadership/collaborations/collaboration_peers.html", context)
