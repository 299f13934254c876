"""Importing responses collected with another tool, in three steps on one URL:

1. GET: the upload form, with what the file must contain.
2. POST a file: it is read and kept, and the preview shows each column with what it maps to.
3. POST the mapping (with the kept upload's id): the rows are checked and imported, all or
   none; the result page shows the counts, or the preview comes back with every problem.

Between steps 2 and 3 the file is kept in the cache, which is the database cache shared by every
app server (settings.CACHES), for an hour, under a random id. The id travels in the preview
form and is only accepted from the session it was issued to, so one analyst's file cannot be
imported by another, and a second tab with another file does not swap the files under a
mapping. A file on local disk would be missed by the next request landing on another app
server; the session itself is read on every request and should not carry megabytes.
"""

import secrets

from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from digikompas.orgs.access import actor_for, role_required
from digikompas.orgs.models import JobRole, Role

from .access import get_round_to_run
from .forms_import import ColumnMappingForm, ResponsesFileForm
from .importing import (
    IDENTITY_HEADERS,
    MAX_ROWS,
    Identity,
    ImportRejected,
    accepted_answers,
    check_round,
    read_sheet,
)
from .importing_service import import_responses as import_file
from .services import items_of

_SESSION_KEY = "surveys_import_uploads"  # upload id → round id, the newest last
_KEPT_SECONDS = 60 * 60
_KEPT_PER_SESSION = 5


@require_http_methods(["GET", "POST"])
@role_required(Role.ANALYST)
def import_responses(request, pk):
    round = get_round_to_run(actor_for(request.user), pk)
    items = items_of(round.survey)
    try:
        check_round(round)
    except ImportRejected as refused:
        return _upload_page(
            request, round, items, refused=refused, status=400 if request.method == "POST" else 200
        )
    if request.method == "GET":
        return _upload_page(request, round, items)
    if "upload" in request.POST:
        return _confirm(request, round, items)
    return _upload(request, round, items)


def _upload(request, round, items):
    form = ResponsesFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, round, items, form=form, status=400)
    upload = form.cleaned_data["file"]
    content = upload.read()
    try:
        sheet = read_sheet(content=content, filename=upload.name)
    except ImportRejected as rejected:
        return _upload_page(request, round, items, rejected=rejected, status=400)
    upload_id = _keep_upload(request, round, content=content, filename=upload.name)
    form = ColumnMappingForm(initial={"upload": upload_id}, sheet=sheet, items=items)
    return _preview_page(request, round, form)


def _confirm(request, round, items):
    upload_id = request.POST["upload"]
    kept = _kept_upload(request, round, upload_id)
    if kept is None:
        expired = ImportRejected(
            file_errors=[
                _(
                    "The uploaded file is no longer kept (files are kept for an hour). "
                    "Upload it again."
                )
            ]
        )
        return _upload_page(request, round, items, rejected=expired, status=400)
    try:
        sheet = read_sheet(content=kept["content"], filename=kept["filename"])
    except ImportRejected as rejected:  # e.g. the size limit was lowered meanwhile
        return _upload_page(request, round, items, rejected=rejected, status=400)
    form = ColumnMappingForm(request.POST, sheet=sheet, items=items)
    if not form.is_valid():
        return _preview_page(request, round, form, status=400)
    try:
        result = import_file(round=round, sheet=sheet, mapping=form.cleaned_data["mapping"])
    except ImportRejected as rejected:
        return _preview_page(request, round, form, rejected=rejected, status=400)
    _forget_upload(request, upload_id)
    context = {"round": round, "result": result, "filename": sheet.filename}
    return render(request, "surveys/import_result.html", context)


def _upload_page(request, round, items, *, form=None, rejected=None, refused=None, status=200):
    context = {
        "round": round,
        "form": form or ResponsesFileForm(),
        "rejected": rejected,
        "refused": refused,
        "items": [(item, accepted_answers(item)) for item in items],
        "identity_columns": [(identity.label, IDENTITY_HEADERS[identity]) for identity in Identity],
        "job_roles": JobRole,
        "max_rows": MAX_ROWS,
    }
    return render(request, "surveys/import_upload.html", context, status=status)


def _preview_page(request, round, form, *, rejected=None, status=200):
    context = {"round": round, "form": form, "sheet": form.sheet, "rejected": rejected}
    return render(request, "surveys/import_preview.html", context, status=status)


# -- the kept upload ----------------------------------------------------------------------------


def _cache_key(upload_id: str) -> str:
    return f"surveys:import:{upload_id}"


def _keep_upload(request, round, *, content: bytes, filename: str) -> str:
    upload_id = secrets.token_urlsafe(24)
    cache.set(
        _cache_key(upload_id),
        {"round": round.pk, "content": content, "filename": filename},
        _KEPT_SECONDS,
    )
    kept = dict(request.session.get(_SESSION_KEY, {}))
    kept[upload_id] = round.pk
    # An analyst who uploads file after file without importing does not fill the cache.
    while len(kept) > _KEPT_PER_SESSION:
        oldest = next(iter(kept))
        cache.delete(_cache_key(oldest))
        del kept[oldest]
    request.session[_SESSION_KEY] = kept
    return upload_id


def _kept_upload(request, round, upload_id: str) -> dict | None:
    if request.session.get(_SESSION_KEY, {}).get(upload_id) != round.pk:
        return None
    kept = cache.get(_cache_key(upload_id))
    if kept is None or kept["round"] != round.pk:
        return None
    return kept


def _forget_upload(request, upload_id: str) -> None:
    cache.delete(_cache_key(upload_id))
    kept = dict(request.session.get(_SESSION_KEY, {}))
    kept.pop(upload_id, None)
    request.session[_SESSION_KEY] = kept
