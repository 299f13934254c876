"""Every change to a competence framework, called from the web UI, the API and the commands."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from . import models as m
from .content import (
    FrameworkContent,
    FrameworkRejected,
    Problem,
    check,
    content_from_dict,
    content_of,
    publication_problems,
)

DEFAULT_FRAMEWORK_FILE = Path(__file__).parent / "data" / "default_framework.json"


class FrameworkLocked(Exception):
    """A published framework version was about to be changed; it never is."""

    def __init__(self, framework: m.Framework):
        self.framework = framework
        super().__init__(
            _(
                "%(framework)s is published and cannot be changed. "
                "Start a new version to make changes."
            )
            % {"framework": framework}
        )


def ensure_draft(framework: m.Framework) -> None:
    """Refuse to change a published version. The row is re-read under a lock so that an edit
    racing a publication cannot slip in after it."""
    status = (
        m.Framework.objects.select_for_update()
        .filter(pk=framework.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != m.FrameworkStatus.DRAFT:
        raise FrameworkLocked(framework)


def _next_version(key: str) -> int:
    return (m.Framework.objects.filter(key=key).aggregate(v=Max("version"))["v"] or 0) + 1


@transaction.atomic
def create_framework(
    *, content: FrameworkContent, based_on: m.Framework | None = None
) -> m.Framework:
    """Store content as a new draft version of the framework with its key.

    The content is checked first; FrameworkRejected lists every problem and nothing is written.
    A framework whose identifier is already here is refused rather than stored twice.
    """
    problems = check(content)
    existing = m.Framework.objects.filter(identifier=content.identifier).first()
    if existing is not None:
        problems.insert(
            0,
            Problem(
                _("framework"),
                "identifier",
                _("This framework is already here as %(framework)s.") % {"framework": existing},
            ),
        )
    if problems:
        raise FrameworkRejected(problems)
    # Versions are numbered per key; the lock on the latest version keeps two imports of the
    # same key from taking the same number (the unique constraint would refuse the second).
    list(m.Framework.objects.select_for_update().filter(key=content.key).order_by("-version")[:1])
    framework = m.Framework.objects.create(
        identifier=content.identifier,
        key=content.key,
        version=_next_version(content.key),
        title_da=content.title.da,
        title_en=content.title.en,
        description_da=content.description.da,
        description_en=content.description.en,
        based_on=based_on,
    )
    m.ProficiencyLevel.objects.bulk_create(
        m.ProficiencyLevel(
            framework=framework,
            value=level.value,
            label_da=level.label.da,
            label_en=level.label.en,
            description_da=level.description.da,
            description_en=level.description.en,
        )
        for level in content.levels
    )
    domains = m.Domain.objects.bulk_create(
        m.Domain(
            framework=framework,
            identifier=d.identifier,
            code=d.code,
            position=position,
            title_da=d.title.da,
            title_en=d.title.en,
            description_da=d.description.da,
            description_en=d.description.en,
        )
        for position, d in enumerate(content.domains)
    )
    rows = [
        m.Competency(
            domain=domain,
            framework=framework,
            identifier=c.identifier,
            code=c.code,
            position=position,
            title_da=c.title.da,
            title_en=c.title.en,
            description_da=c.description.da,
            description_en=c.description.en,
            keywords_da=list(c.keywords.da),
            keywords_en=list(c.keywords.en),
        )
        for domain, d in zip(domains, content.domains, strict=True)
        for position, c in enumerate(d.competencies)
    ]
    # bulk_create sets primary keys on PostgreSQL and SQLite alike (both support RETURNING).
    competencies = m.Competency.objects.bulk_create(rows)
    by_identifier = {c.identifier: c for c in competencies}
    m.Descriptor.objects.bulk_create(
        m.Descriptor(
            competency=by_identifier[c.identifier], level=level, text_da=text.da, text_en=text.en
        )
        for c in content.competencies
        for level, text in sorted(c.descriptors.items())
        if text
    )
    profiles = m.TargetProfile.objects.bulk_create(
        m.TargetProfile(
            framework=framework,
            job_role=p.job_role,
            library_kind=p.library_kind,
            note_da=p.note.da,
            note_en=p.note.en,
        )
        for p in content.profiles
    )
    m.TargetLevel.objects.bulk_create(
        m.TargetLevel(profile=profile, competency=by_identifier[identifier], level=level)
        for profile, p in zip(profiles, content.profiles, strict=True)
        for identifier, level in p.levels.items()
    )
    return framework


def new_version(*, framework: m.Framework) -> m.Framework:
    """A new draft that starts as a copy of `framework` (usually the latest published version).

    Domains and competencies keep their identifiers, so the two versions can be compared."""
    content = content_of(framework)
    copy = FrameworkContent(
        identifier=uuid.uuid4(),
        key=content.key,
        title=content.title,
        description=content.description,
        levels=content.levels,
        domains=content.domains,
        profiles=content.profiles,
    )
    return create_framework(content=copy, based_on=framework)


@transaction.atomic
def publish(*, framework: m.Framework) -> m.Framework:
    """Publish a draft; FrameworkRejected lists what is missing first. From now on it never
    changes."""
    ensure_draft(framework)
    problems = publication_problems(content_of(framework))
    if problems:
        raise FrameworkRejected(problems)
    framework.status = m.FrameworkStatus.PUBLISHED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at", "updated_at"])
    return framework


@transaction.atomic
def delete_draft(*, framework: m.Framework) -> None:
    ensure_draft(framework)
    framework.delete()


def load_framework_file(path: Path) -> FrameworkContent:
    with open(path, encoding="utf-8") as file:
        return content_from_dict(json.load(file))


def load_default_framework(*, publish_it: bool = True) -> tuple[m.Framework, bool]:
    """The shipped default framework, stored (and published) unless it is already here.

    Returns the framework and whether it was created now."""
    content = load_framework_file(DEFAULT_FRAMEWORK_FILE)
    existing = m.Framework.objects.filter(identifier=content.identifier).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        framework = create_framework(content=content)
        if publish_it:
            publish(framework=framework)
    return framework, True


# -- editing a draft ----------------------------------------------------------------------------
# Each takes a saved form's instance (forms validate the fields) or plain values, checks that the
# framework is still a draft, and saves.


@transaction.atomic
def save_framework_details(*, framework: m.Framework) -> m.Framework:
    ensure_draft(framework)
    framework.save()
    return framework


@transaction.atomic
def save_level(*, level: m.ProficiencyLevel) -> m.ProficiencyLevel:
    ensure_draft(level.framework)
    level.save()
    return level


@transaction.atomic
def save_domain(*, domain: m.Domain) -> m.Domain:
    ensure_draft(domain.framework)
    if domain.pk is None:
        last = domain.framework.domains.aggregate(p=Max("position"))["p"]
        domain.position = 0 if last is None else last + 1
    domain.save()
    return domain


@transaction.atomic
def delete_domain(*, domain: m.Domain) -> None:
    ensure_draft(domain.framework)
    domain.delete()


@transaction.atomic
def save_competency(
    *, competency: m.Competency, descriptors: dict[int, tuple[str, str]]
) -> m.Competency:
    """Save a competency and its descriptors: level → (Danish text, English text); a level with
    both texts empty has no descriptor."""
    ensure_draft(competency.domain.framework)
    competency.framework = competency.domain.framework
    if competency.pk is None:
        last = competency.domain.competencies.aggregate(p=Max("position"))["p"]
        competency.position = 0 if last is None else last + 1
    competency.save()
    for level, (text_da, text_en) in descriptors.items():
        if text_da or text_en:
            m.Descriptor.objects.update_or_create(
                competency=competency,
                level=level,
                defaults={"text_da": text_da, "text_en": text_en},
            )
        else:
            m.Descriptor.objects.filter(competency=competency, level=level).delete()
    return competency


@transaction.atomic
def delete_competency(*, competency: m.Competency) -> None:
    ensure_draft(competency.framework)
    competency.delete()


@transaction.atomic
def save_profile(*, profile: m.TargetProfile, levels: dict[int, int | None]) -> m.TargetProfile:
    """Save a target profile and its required levels: competency id → level, None for none."""
    ensure_draft(profile.framework)
    profile.save()
    for competency_id, level in levels.items():
        if level is None:
            profile.targets.filter(competency_id=competency_id).delete()
        else:
            m.TargetLevel.objects.update_or_create(
                profile=profile, competency_id=competency_id, defaults={"level": level}
            )
    return profile


@transaction.atomic
def delete_profile(*, profile: m.TargetProfile) -> None:
    ensure_draft(profile.framework)
    profile.delete()


# -- files --------------------------------------------------------------------------------------


def import_framework(*, raw: bytes, filename: str) -> tuple[m.Framework, list[str]]:
    """A framework file (CASE, CSV or XLSX) stored as a new draft, with notes on what the file
    held that was not kept. FrameworkRejected lists every problem; then nothing is stored."""
    from .interchange import read_file

    imported = read_file(raw=raw, filename=filename)
    return create_framework(content=imported.content), imported.notes


def export_framework(*, framework: m.Framework, file_format: str) -> tuple[bytes, str, str]:
    """A framework version as a file: (content, file name, content type)."""
    from .interchange import FORMATS, DocumentInfo, write_file

    extension, content_type = FORMATS[file_format]
    info = DocumentInfo(
        version=framework.version,
        published_at=framework.published_at,
        last_change=framework.updated_at,
    )
    data = write_file(content_of(framework), file_format=file_format, info=info)
    suffix = "-case" if file_format == "case" else ""
    return data, f"{framework.key}-v{framework.version}{suffix}{extension}", content_type


def find_framework(reference: str) -> m.Framework:
    """A framework version named on a command line: its number in the database, its identifier
    (UUID), `key:version`, or a key alone (the latest published version, else the latest
    draft). Framework.DoesNotExist with a message saying what was tried."""
    frameworks = m.Framework.objects.all()
    reference = reference.strip()
    found = None
    if reference.isdigit():
        found = frameworks.filter(pk=int(reference)).first()
    else:
        try:
            found = frameworks.filter(identifier=uuid.UUID(reference)).first()
        except ValueError:
            key, _sep, version = reference.partition(":")
            versions = frameworks.filter(key=key)
            if version.isdigit():
                found = versions.filter(version=int(version)).first()
            elif not version:
                found = (
                    versions.filter(status=m.FrameworkStatus.PUBLISHED).order_by("-version").first()
                    or versions.order_by("-version").first()
                )
    if found is None:
        raise m.Framework.DoesNotExist(
            _(
                "No framework is called %(reference)s. Name it by its key (for example "
                "%(example)s), key:version, its number or its identifier."
            )
            % {"reference": reference, "example": "digitale-ressourcer-og-digitalt-lederskab"}
        )
    return found
