"""What changed between two versions of a framework.

Domains and competencies are matched by identifier (they keep it from version to version), so a
renamed or re-coded competency shows as changed, not as removed and added; target profiles are
matched by job role and kind of library, levels by value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .content import (
    CompetencyContent,
    DomainContent,
    FrameworkContent,
    ProfileContent,
    Text,
    language_names,
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class ItemChange:
    """An item present in both versions with the fields that differ."""

    code: str
    title: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class FrameworkDiff:
    details: list[FieldChange] = field(default_factory=list)
    levels: list[ItemChange] = field(default_factory=list)
    levels_added: list[str] = field(default_factory=list)
    levels_removed: list[str] = field(default_factory=list)
    domains_added: list[ItemChange] = field(default_factory=list)
    domains_removed: list[ItemChange] = field(default_factory=list)
    domains_changed: list[ItemChange] = field(default_factory=list)
    competencies_added: list[ItemChange] = field(default_factory=list)
    competencies_removed: list[ItemChange] = field(default_factory=list)
    competencies_changed: list[ItemChange] = field(default_factory=list)
    profiles_added: list[ItemChange] = field(default_factory=list)
    profiles_removed: list[ItemChange] = field(default_factory=list)
    profiles_changed: list[ItemChange] = field(default_factory=list)

    def __bool__(self):
        return any(bool(value) for value in vars(self).values())

    @property
    def count(self) -> int:
        return sum(len(value) for value in vars(self).values())


def _text_changes(name: str, old: Text, new: Text) -> list[FieldChange]:
    changes = []
    for language, label in language_names():
        if old.get(language) != new.get(language):
            changes.append(FieldChange(f"{name} ({label})", old.get(language), new.get(language)))
    return changes


def _localized(text: Text, language: str) -> str:
    return text.get(language) or text.da or text.en


def _item(item: DomainContent | CompetencyContent, language: str) -> ItemChange:
    return ItemChange(item.code, _localized(item.title, language))


def compare(old: FrameworkContent, new: FrameworkContent, *, language: str = "da") -> FrameworkDiff:
    diff = FrameworkDiff()
    diff.details += _text_changes(_("title"), old.title, new.title)
    diff.details += _text_changes(_("description"), old.description, new.description)

    old_levels = {level.value: level for level in old.levels}
    new_levels = {level.value: level for level in new.levels}
    for value in sorted(old_levels.keys() - new_levels.keys()):
        diff.levels_removed.append(f"{value} {_localized(old_levels[value].label, language)}")
    for value in sorted(new_levels.keys() - old_levels.keys()):
        diff.levels_added.append(f"{value} {_localized(new_levels[value].label, language)}")
    for value in sorted(old_levels.keys() & new_levels.keys()):
        a, b = old_levels[value], new_levels[value]
        changes = _text_changes(_("label"), a.label, b.label) + _text_changes(
            _("description"), a.description, b.description
        )
        if changes:
            diff.levels.append(ItemChange(str(value), _localized(b.label, language), changes))

    old_domains = {d.identifier: d for d in old.domains}
    new_domains = {d.identifier: d for d in new.domains}
    diff.domains_removed = [
        _item(d, language) for d in old.domains if d.identifier not in new_domains
    ]
    diff.domains_added = [
        _item(d, language) for d in new.domains if d.identifier not in old_domains
    ]
    for d in new.domains:
        if d.identifier in old_domains:
            a = old_domains[d.identifier]
            changes = []
            if a.code != d.code:
                changes.append(FieldChange(_("code"), a.code, d.code))
            changes += _text_changes(_("title"), a.title, d.title)
            changes += _text_changes(_("description"), a.description, d.description)
            if changes:
                diff.domains_changed.append(
                    ItemChange(d.code, _localized(d.title, language), changes)
                )

    old_competencies = {c.identifier: c for c in old.competencies}
    new_competencies = {c.identifier: c for c in new.competencies}
    old_domain_of = {c.identifier: d for d in old.domains for c in d.competencies}
    new_domain_of = {c.identifier: d for d in new.domains for c in d.competencies}
    diff.competencies_removed = [
        _item(c, language) for c in old.competencies if c.identifier not in new_competencies
    ]
    diff.competencies_added = [
        _item(c, language) for c in new.competencies if c.identifier not in old_competencies
    ]
    all_levels = sorted(old_levels.keys() | new_levels.keys())
    for c in new.competencies:
        a = old_competencies.get(c.identifier)
        if a is None:
            continue
        changes = []
        if a.code != c.code:
            changes.append(FieldChange(_("code"), a.code, c.code))
        old_domain, new_domain = old_domain_of[c.identifier], new_domain_of[c.identifier]
        if old_domain.identifier != new_domain.identifier:
            changes.append(FieldChange(_("domain"), old_domain.code, new_domain.code))
        changes += _text_changes(_("title"), a.title, c.title)
        changes += _text_changes(_("description"), a.description, c.description)
        for language, label in language_names():
            old_words, new_words = getattr(a.keywords, language), getattr(c.keywords, language)
            if old_words != new_words:
                changes.append(
                    FieldChange(
                        f"{_('keywords')} ({label})", ", ".join(old_words), ", ".join(new_words)
                    )
                )
        for level in all_levels:
            changes += _text_changes(
                _("descriptor, level %(value)s") % {"value": level},
                a.descriptors.get(level, Text()),
                c.descriptors.get(level, Text()),
            )
        if changes:
            diff.competencies_changed.append(
                ItemChange(c.code, _localized(c.title, language), changes)
            )

    def profile_key(p: ProfileContent):
        return (p.job_role, p.library_kind)

    code_of = {c.identifier: c.code for c in [*old.competencies, *new.competencies]}
    old_profiles = {profile_key(p): p for p in old.profiles}
    new_profiles = {profile_key(p): p for p in new.profiles}
    diff.profiles_removed = [
        ItemChange(p.name, p.name) for p in old.profiles if profile_key(p) not in new_profiles
    ]
    diff.profiles_added = [
        ItemChange(p.name, p.name) for p in new.profiles if profile_key(p) not in old_profiles
    ]
    for p in new.profiles:
        a = old_profiles.get(profile_key(p))
        if a is None:
            continue
        changes = _text_changes(_("note"), a.note, p.note)
        for identifier in [*a.levels, *(i for i in p.levels if i not in a.levels)]:
            before, after = a.levels.get(identifier), p.levels.get(identifier)
            if before != after:
                changes.append(
                    FieldChange(
                        _("required level, %(code)s") % {"code": code_of[identifier]},
                        "" if before is None else str(before),
                        "" if after is None else str(after),
                    )
                )
        if changes:
            diff.profiles_changed.append(ItemChange(p.name, p.name, changes))
    return diff
