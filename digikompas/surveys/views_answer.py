"""Answering a survey by personal link. No login: the invitation's token is the key, so every
page is public for a valid token and a 404 for any other. Pages are not cached (they show one
person's answers) and every page saves as it goes, so a closed browser resumes where it left off.

The pages: start → one page per section → review → submit → done (thanks, and for confidential
rounds the respondent's own profile against the competence need of their job role).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import answers as answer_rules
from . import services
from .forms_answer import SectionForm, answer_label
from .models import Invitation, Item, Response, Section
from .profiles import profile_of

# The profile on the done page names what to learn for at most this many of the largest gaps.


def _invitation(token: str, *, lock: bool = False) -> Invitation:
    """The invitation of a personal link; 404 for any other token. With `lock`, its row (not
    the round's or the survey's) is locked until the transaction ends."""
    invitations = Invitation.objects.select_related("round__survey")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    return get_object_or_404(invitations, token=token)


def _see_other(url: str) -> HttpResponseRedirect:
    # After a POST the browser should GET the next page, whatever the POST was.
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _sections(invitation: Invitation) -> list[Section]:
    return services.answering_sections(invitation.round.survey)


def _number_of(sections: list[Section]) -> dict[int, int]:
    """Section pk → its 1-based page number (positions need not run 1, 2, 3)."""
    return {section.pk: number for number, section in enumerate(sections, start=1)}


def _closed(request, invitation: Invitation):
    """The polite page for a round that is not open (yet or any more): nothing can be saved."""
    round = invitation.round
    return render(
        request,
        "surveys/answer_closed.html",
        {"survey": round.survey, "round": round, "not_yet": not round.is_closed},
    )


def _unavailable(request, invitation: Invitation):
    """The response when the questionnaire cannot be answered now, else None."""
    if invitation.responded_at is not None:
        return redirect("surveys:answer_done", invitation.token)
    if not invitation.round.is_open():
        return _closed(request, invitation)
    return None


# -- start ----------------------------------------------------------------------------------------


@never_cache
@require_GET
def start(request, token):
    invitation = _invitation(token)
    if unavailable := _unavailable(request, invitation):
        return unavailable
    round = invitation.round
    sections = _sections(invitation)
    items = services.answering_items(round.survey, descriptors=False)
    draft = invitation.draft
    asked = [item for item in items if item.is_shown(draft)]
    started = invitation.started_at is not None
    missing = answer_rules.missing(items, draft)
    if not started or not sections:
        next_url = reverse("surveys:answer_section", args=[token, 1]) if sections else None
    elif missing:
        number = _number_of(sections)[missing[0].section_id]
        next_url = reverse("surveys:answer_section", args=[token, number])
    else:
        next_url = reverse("surveys:answer_review", args=[token])
    return render(
        request,
        "surveys/answer_start.html",
        {
            "invitation": invitation,
            "survey": round.survey,
            "round": round,
            "page_count": len(sections),
            "answered": sum(1 for item in asked if item.code in draft),
            "question_count": len(asked),
            "started": started,
            "next_url": next_url,
        },
    )


# -- one page per section -------------------------------------------------------------------------


def _page_after(token: str, number: int, page_count: int, *, back: bool) -> str:
    """Where "Back" or "Save and continue" leads from page `number`."""
    if back:
        if number > 1:
            return reverse("surveys:answer_section", args=[token, number - 1])
        return reverse("surveys:answer", args=[token])
    if number < page_count:
        return reverse("surveys:answer_section", args=[token, number + 1])
    return reverse("surveys:answer_review", args=[token])


@never_cache
@require_http_methods(["GET", "POST"])
def section(request, token, number):
    if request.method == "POST":
        # One transaction: the invitation is read locked, the answers checked and saved, with
        # no second read of it. Every respondent saves every page: this is the hot path.
        with transaction.atomic():
            return _section(request, token, number, locked=True)
    return _section(request, token, number, locked=False)


def _section(request, token, number, *, locked: bool):
    invitation = _invitation(token, lock=locked)
    if unavailable := _unavailable(request, invitation):
        return unavailable
    sections = _sections(invitation)
    if not 1 <= number <= len(sections):
        raise Http404
    current = sections[number - 1]
    # A save that is valid redirects without showing the scales: their descriptors are
    # loaded only for a page that is shown.
    posted = request.method == "POST"
    items = services.answering_items(
        invitation.round.survey, section=current, descriptors=not posted
    )
    status = 200
    if posted:
        form = SectionForm(request.POST, items=items, saved=invitation.draft)
        valid = form.is_valid()
        try:
            # The valid answers are saved even when others on the page are not, so nothing
            # that was right is lost while the respondent corrects the rest.
            services.save_answers_locked(invitation=invitation, answers=form.answers_to_save())
        except services.RoundClosed:
            invitation.round.refresh_from_db()
            return _closed(request, invitation)
        if valid:
            back = request.POST.get("action") == "back"
            return _see_other(_page_after(token, number, len(sections), back=back))
        items = services.answering_items(invitation.round.survey, section=current)
        form = SectionForm(request.POST, items=items, saved=invitation.draft)
        status = 400
    else:
        form = SectionForm(items=items, saved=invitation.draft)
    questions = form.questions()
    return render(
        request,
        "surveys/answer_section.html",
        {
            "invitation": invitation,
            "survey": invitation.round.survey,
            "section": current,
            "number": number,
            "page_count": len(sections),
            "is_last": number == len(sections),
            "form": form,
            "questions": questions,
            "errors": [q for q in questions if q.field.errors],
        },
        status=status,
    )


# -- review and submit ----------------------------------------------------------------------------


@dataclass
class ReviewRow:
    item: Item
    answer: str
    missing: bool
    anchor: str


@dataclass
class ReviewGroup:
    number: int
    section: Section
    rows: list[ReviewRow] = field(default_factory=list)


def _review(request, invitation: Invitation, *, incomplete=(), status: int = 200):
    sections = _sections(invitation)
    numbers = _number_of(sections)
    items = services.answering_items(invitation.round.survey)
    draft = invitation.draft
    missing = {item.code for item in answer_rules.missing(items, draft)}
    groups = {s.pk: ReviewGroup(numbers[s.pk], s) for s in sections}
    for item in items:
        if not item.is_shown(draft):
            continue
        anchor = reverse(
            "surveys:answer_section", args=[invitation.token, numbers[item.section_id]]
        )
        groups[item.section_id].rows.append(
            ReviewRow(
                item=item,
                answer=answer_label(item, draft.get(item.code)),
                missing=item.code in missing,
                anchor=f"{anchor}#question-{item.code}",
            )
        )
    rows = {row.item.code: row for group in groups.values() for row in group.rows}
    return render(
        request,
        "surveys/answer_review.html",
        {
            "invitation": invitation,
            "survey": invitation.round.survey,
            "groups": [group for group in groups.values() if group.rows],
            "missing_count": len(missing),
            "incomplete": [rows[item.code] for item in incomplete if item.code in rows],
            "last_number": len(sections),
        },
        status=status,
    )


@never_cache
@require_GET
def review(request, token):
    invitation = _invitation(token)
    if unavailable := _unavailable(request, invitation):
        return unavailable
    return _review(request, invitation)


@never_cache
@require_POST
def submit(request, token):
    invitation = _invitation(token)
    try:
        # Idempotent: a second click, a retry or another tab ends at the same one response.
        services.submit(invitation=invitation)
    except services.AnswersIncomplete as error:
        invitation.refresh_from_db()
        return _review(request, invitation, incomplete=error.items, status=400)
    except services.RoundClosed:
        return _closed(request, invitation)
    return _see_other(reverse("surveys:answer_done", args=[token]))


# -- done -----------------------------------------------------------------------------------------


@never_cache
@require_GET
def done(request, token):
    invitation = _invitation(token)
    if invitation.responded_at is None:
        return redirect("surveys:answer", token)
    round = invitation.round
    profile = None
    if round.is_confidential:
        response = (
            Response.objects.filter(invitation=invitation)
            .select_related("library", "round__survey")
            .first()
        )
        profile = profile_of(response) if response else None
    return render(
        request,
        "surveys/answer_done.html",
        {"invitation": invitation, "survey": round.survey, "round": round, "profile": profile},
    )
