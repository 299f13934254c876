"""The content of a framework version as plain values, independent of the database.

Every way a framework enters or leaves digikompas goes through FrameworkContent: the shipped
default framework (a JSON file), CASE packages, CSV and Excel tables, new versions and the
comparison of two versions. Readers build content and report every problem as a Problem; nothing
touches the database until services.create_framework has the whole, checked content.

Two contents are equal exactly when the frameworks are identical: same identifiers, codes, texts
in both languages, scale, descriptors and target profiles, in the same order.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from digikompas.orgs.models import JobRole, LibraryKind

from . import models as m

# Identifiers of the items of content written without them (the shipped default framework) are
# derived from the framework's key and the item's code, so that loading it again gives the same.
NAMESPACE = uuid.UUID("6f1d3c0e-3b7a-4c61-9b4e-2f0a5d9c8e71")

LANGUAGES = ("da", "en")

# What Django's SlugField accepts; the key also names exported files.
KEY_PATTERN = re.compile(r"[-a-zA-Z0-9_]+")


def language_names() -> tuple[tuple[str, str], ...]:
    """The two languages as named inside a sentence ("in Danish", "title (Danish)")."""
    return (
        ("da", pgettext("language name inside a sentence", "Danish")),
        ("en", pgettext("language name inside a sentence", "English")),
    )


def derived_identifier(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


@dataclass(frozen=True)
class Text:
    """A text in Danish and English; either may be empty."""

    da: str = ""
    en: str = ""

    def __bool__(self):
        return bool(self.da or self.en)

    def get(self, language: str) -> str:
        return getattr(self, language)


@dataclass(frozen=True)
class Keywords:
    da: tuple[str, ...] = ()
    en: tuple[str, ...] = ()


@dataclass(frozen=True)
class LevelContent:
    value: int
    label: Text
    description: Text = Text()


@dataclass(frozen=True)
class CompetencyContent:
    identifier: uuid.UUID
    code: str
    title: Text
    description: Text = Text()
    keywords: Keywords = Keywords()
    # Level value → what a person at that level does.
    descriptors: Mapping[int, Text] = field(default_factory=dict)


@dataclass(frozen=True)
class DomainContent:
    identifier: uuid.UUID
    code: str
    title: Text
    description: Text = Text()
    competencies: tuple[CompetencyContent, ...] = ()


@dataclass(frozen=True)
class ProfileContent:
    job_role: str
    library_kind: str = ""
    note: Text = Text()
    # Competency identifier → required level.
    levels: Mapping[uuid.UUID, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        role = dict(JobRole.choices).get(self.job_role, self.job_role)
        if self.library_kind:
            kind = dict(LibraryKind.choices).get(self.library_kind, self.library_kind)
            return f"{role} ({kind})"
        return str(role)


@dataclass(frozen=True)
class FrameworkContent:
    identifier: uuid.UUID
    key: str
    title: Text
    description: Text = Text()
    levels: tuple[LevelContent, ...] = ()
    domains: tuple[DomainContent, ...] = ()
    profiles: tuple[ProfileContent, ...] = ()

    @property
    def competencies(self) -> Iterable[CompetencyContent]:
        for domain in self.domains:
            yield from domain.competencies


@dataclass(frozen=True)
class Problem:
    """Something wrong with content being imported: where (an item, a row), which field, why."""

    where: str
    field: str
    reason: str

    def __str__(self):
        parts = [p for p in (self.where, self.field) if p]
        return f"{', '.join(parts)}: {self.reason}" if parts else self.reason


class FrameworkRejected(Exception):
    """A framework file or content that cannot be imported; nothing was written."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


# -- from and to the database -----------------------------------------------------------------


def _text(obj, name: str) -> Text:
    return Text(da=getattr(obj, f"{name}_da"), en=getattr(obj, f"{name}_en"))


def content_of(framework: m.Framework) -> FrameworkContent:
    """The content of a framework version as it is stored (five queries)."""
    levels = tuple(
        LevelContent(
            value=level.value, label=_text(level, "label"), description=_text(level, "description")
        )
        for level in framework.levels.order_by("value")
    )
    descriptors: dict[int, dict[int, Text]] = {}
    for d in m.Descriptor.objects.filter(competency__framework=framework).order_by("level"):
        descriptors.setdefault(d.competency_id, {})[d.level] = _text(d, "text")
    competencies: dict[int, list[CompetencyContent]] = {}
    identifiers: dict[int, uuid.UUID] = {}
    for c in framework.competencies.order_by("position", "code"):
        identifiers[c.pk] = c.identifier
        competencies.setdefault(c.domain_id, []).append(
            CompetencyContent(
                identifier=c.identifier,
                code=c.code,
                title=_text(c, "title"),
                description=_text(c, "description"),
                keywords=Keywords(da=tuple(c.keywords_da), en=tuple(c.keywords_en)),
                descriptors=descriptors.get(c.pk, {}),
            )
        )
    domains = tuple(
        DomainContent(
            identifier=d.identifier,
            code=d.code,
            title=_text(d, "title"),
            description=_text(d, "description"),
            competencies=tuple(competencies.get(d.pk, ())),
        )
        for d in framework.domains.order_by("position", "code")
    )
    targets: dict[int, dict[uuid.UUID, int]] = {}
    for t in m.TargetLevel.objects.filter(profile__framework=framework).order_by(
        "competency__domain__position", "competency__position", "competency__code"
    ):
        targets.setdefault(t.profile_id, {})[identifiers[t.competency_id]] = t.level
    profiles = tuple(
        ProfileContent(
            job_role=p.job_role,
            library_kind=p.library_kind,
            note=_text(p, "note"),
            levels=targets.get(p.pk, {}),
        )
        for p in framework.profiles.order_by("job_role", "library_kind")
    )
    return FrameworkContent(
        identifier=framework.identifier,
        key=framework.key,
        title=_text(framework, "title"),
        description=_text(framework, "description"),
        levels=levels,
        domains=domains,
        profiles=profiles,
    )


# -- checks every reader shares -----------------------------------------------------------------


def _max_length(model, name: str) -> int:
    return model._meta.get_field(f"{name}_da").max_length


def check(content: FrameworkContent) -> list[Problem]:
    """Every problem that keeps this content from being stored as a framework."""
    problems: list[Problem] = []
    add = problems.append
    framework_where = _("framework")
    key_max = m.Framework._meta.get_field("key").max_length
    if not content.key:
        add(Problem(framework_where, "key", _("The framework has no key.")))
    elif len(content.key) > key_max or not KEY_PATTERN.fullmatch(content.key):
        add(
            Problem(
                framework_where,
                "key",
                _(
                    "“%(value)s” is not a valid key: use at most %(max)s letters, digits, "
                    "hyphens and underscores."
                )
                % {"value": content.key, "max": key_max},
            )
        )
    if not content.title:
        add(Problem(framework_where, "title", _("The framework has no title.")))
    title_max = _max_length(m.Framework, "title")
    if len(content.title.da) > title_max or len(content.title.en) > title_max:
        add(
            Problem(
                framework_where,
                "title",
                _("The title is longer than %(max)s characters.") % {"max": title_max},
            )
        )

    level_values = [level.value for level in content.levels]
    for level in content.levels:
        where = _("level %(value)s") % {"value": level.value}
        if not 0 <= level.value <= m.MAX_LEVEL:
            add(
                Problem(
                    where,
                    "value",
                    _("A level must be a whole number from 0 to %(max)s.") % {"max": m.MAX_LEVEL},
                )
            )
        if not level.label:
            add(Problem(where, "label", _("The level has no label.")))
        label_max = _max_length(m.ProficiencyLevel, "label")
        if len(level.label.da) > label_max or len(level.label.en) > label_max:
            add(
                Problem(
                    where,
                    "label",
                    _("The label is longer than %(max)s characters.") % {"max": label_max},
                )
            )
    for value in sorted({v for v in level_values if level_values.count(v) > 1}):
        add(
            Problem(
                _("level %(value)s") % {"value": value},
                "value",
                _("The scale has this level more than once."),
            )
        )
    scale = set(level_values)

    seen_identifiers: dict[uuid.UUID, str] = {}
    seen_codes: dict[str, str] = {}
    code_max = m.Competency._meta.get_field("code").max_length

    def item(kind_where: str, identifier: uuid.UUID, code: str, title: Text, model) -> None:
        if identifier in seen_identifiers:
            add(
                Problem(
                    kind_where,
                    "identifier",
                    _("The identifier %(identifier)s is used twice (also by %(other)s).")
                    % {"identifier": identifier, "other": seen_identifiers[identifier]},
                )
            )
        seen_identifiers[identifier] = kind_where
        if not code:
            add(Problem(kind_where, "code", _("The code is missing.")))
        elif len(code) > code_max:
            add(
                Problem(
                    kind_where,
                    "code",
                    _("The code is longer than %(max)s characters.") % {"max": code_max},
                )
            )
        elif code in seen_codes:
            add(
                Problem(
                    kind_where,
                    "code",
                    _("The code %(code)s is used twice (also by %(other)s).")
                    % {"code": code, "other": seen_codes[code]},
                )
            )
        else:
            seen_codes[code] = kind_where
        if not title:
            add(Problem(kind_where, "title", _("The title is missing.")))
        limit = _max_length(model, "title")
        if len(title.da) > limit or len(title.en) > limit:
            add(
                Problem(
                    kind_where,
                    "title",
                    _("The title is longer than %(max)s characters.") % {"max": limit},
                )
            )

    competency_ids: set[uuid.UUID] = set()
    for domain in content.domains:
        domain_where = _("domain %(code)s") % {"code": domain.code or "?"}
        item(domain_where, domain.identifier, domain.code, domain.title, m.Domain)
        for competency in domain.competencies:
            where = _("competency %(code)s") % {"code": competency.code or "?"}
            item(where, competency.identifier, competency.code, competency.title, m.Competency)
            competency_ids.add(competency.identifier)
            for level in competency.descriptors:
                if level not in scale:
                    add(
                        Problem(
                            where,
                            _("descriptor for level %(value)s") % {"value": level},
                            _("The scale has no level %(value)s.") % {"value": level},
                        )
                    )

    seen_profiles: set[tuple[str, str]] = set()
    for profile in content.profiles:
        where = _("target profile %(name)s") % {"name": profile.name}
        if profile.job_role not in JobRole.values:
            add(
                Problem(
                    where,
                    "job_role",
                    _("“%(value)s” is not a job role. Use one of: %(choices)s.")
                    % {"value": profile.job_role, "choices": ", ".join(JobRole.values)},
                )
            )
        if profile.library_kind and profile.library_kind not in LibraryKind.values:
            add(
                Problem(
                    where,
                    "library_kind",
                    _("“%(value)s” is not a kind of library. Use one of: %(choices)s.")
                    % {"value": profile.library_kind, "choices": ", ".join(LibraryKind.values)},
                )
            )
        if (profile.job_role, profile.library_kind) in seen_profiles:
            add(
                Problem(
                    where,
                    "job_role",
                    _(
                        "There is more than one target profile "
                        "for this job role and kind of library."
                    ),
                )
            )
        seen_profiles.add((profile.job_role, profile.library_kind))
        for identifier, level in profile.levels.items():
            if identifier not in competency_ids:
                add(
                    Problem(
                        where,
                        str(identifier),
                        _("The profile names a competency the framework does not have."),
                    )
                )
            elif level not in scale:
                add(
                    Problem(
                        where,
                        seen_identifiers.get(identifier, ""),
                        _("The scale has no level %(value)s.") % {"value": level},
                    )
                )
    return problems


def publication_problems(content: FrameworkContent) -> list[Problem]:
    """What keeps a complete, checked framework from being published: a usable scale, and a
    descriptor for every level of every competency (respondents read them when rating)."""
    problems = check(content)
    if len(content.levels) < 2:
        problems.append(
            Problem(_("framework"), _("scale"), _("The scale needs at least two levels."))
        )
    if not content.domains:
        problems.append(Problem(_("framework"), _("domains"), _("The framework has no domains.")))
    for domain in content.domains:
        if not domain.competencies:
            problems.append(
                Problem(
                    _("domain %(code)s") % {"code": domain.code},
                    _("competencies"),
                    _("The domain has no competencies."),
                )
            )
        for competency in domain.competencies:
            missing = [
                str(level.value)
                for level in content.levels
                if not competency.descriptors.get(level.value)
            ]
            if missing:
                problems.append(
                    Problem(
                        _("competency %(code)s") % {"code": competency.code},
                        _("descriptors"),
                        _("No descriptor for level %(levels)s.") % {"levels": ", ".join(missing)},
                    )
                )
    return problems


# -- the JSON form (the shipped default framework) ------------------------------------------------


def _text_from(value, where: str, name: str, problems: list[Problem]) -> Text:
    if value is None:
        return Text()
    if isinstance(value, str):
        return Text(da=value.strip())
    if not isinstance(value, dict) or not all(
        isinstance(value.get(lang, ""), str) for lang in LANGUAGES
    ):
        problems.append(Problem(where, name, _('Expected a text or {"da": …, "en": …}.')))
        return Text()
    return Text(da=value.get("da", "").strip(), en=value.get("en", "").strip())


def content_from_dict(data: Mapping) -> FrameworkContent:
    """Content from the JSON form: codes instead of identifiers (identifiers are derived from
    the key and code unless given), target levels keyed by competency code."""
    problems: list[Problem] = []
    key = str(data.get("key", "")).strip()
    where = _("framework")

    def identifier(value, *parts) -> uuid.UUID:
        if value:
            try:
                return uuid.UUID(str(value))
            except ValueError:
                problems.append(
                    Problem(where, "identifier", _("“%(value)s” is not a UUID.") % {"value": value})
                )
        return derived_identifier(key, *parts)

    levels = tuple(
        LevelContent(
            value=int(level.get("value", -1)),
            label=_text_from(level.get("label"), where, "label", problems),
            description=_text_from(level.get("description"), where, "description", problems),
        )
        for level in data.get("levels", ())
    )
    codes: dict[str, uuid.UUID] = {}
    domains = []
    for domain in data.get("domains", ()):
        competencies = []
        for c in domain.get("competencies", ()):
            code = str(c.get("code", "")).strip()
            ident = identifier(c.get("identifier"), "competency", code)
            codes[code] = ident
            keywords = c.get("keywords") or {}
            competencies.append(
                CompetencyContent(
                    identifier=ident,
                    code=code,
                    title=_text_from(c.get("title"), code, "title", problems),
                    description=_text_from(c.get("description"), code, "description", problems),
                    keywords=Keywords(
                        da=tuple(keywords.get("da", ())), en=tuple(keywords.get("en", ()))
                    ),
                    descriptors={
                        int(level): _text_from(text, code, "descriptors", problems)
                        for level, text in (c.get("descriptors") or {}).items()
                    },
                )
            )
        code = str(domain.get("code", "")).strip()
        domains.append(
            DomainContent(
                identifier=identifier(domain.get("identifier"), "domain", code),
                code=code,
                title=_text_from(domain.get("title"), code, "title", problems),
                description=_text_from(domain.get("description"), code, "description", problems),
                competencies=tuple(competencies),
            )
        )
    profiles = []
    for p in data.get("profiles", ()):
        levels_by_id = {}
        for code, level in (p.get("levels") or {}).items():
            if code not in codes:
                problems.append(
                    Problem(str(p.get("job_role")), code, _("No competency has this code."))
                )
                continue
            levels_by_id[codes[code]] = int(level)
        profiles.append(
            ProfileContent(
                job_role=str(p.get("job_role", "")),
                library_kind=str(p.get("library_kind", "")),
                note=_text_from(p.get("note"), str(p.get("job_role")), "note", problems),
                levels=levels_by_id,
            )
        )
    content = FrameworkContent(
        identifier=identifier(data.get("identifier"), "framework"),
        key=key,
        title=_text_from(data.get("title"), where, "title", problems),
        description=_text_from(data.get("description"), where, "description", problems),
        levels=levels,
        domains=tuple(domains),
        profiles=tuple(profiles),
    )
    problems.extend(check(content))
    if problems:
        raise FrameworkRejected(problems)
    return content
