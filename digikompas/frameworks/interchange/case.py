"""Frameworks as 1EdTech CASE 1.0 packages (CFPackage JSON).

The framework version is the CFDocument (same identifier). Each domain and competency is a CFItem
of CFItemType "Domain" or "Competency": humanCodingScheme = code, fullStatement = title, notes =
description, conceptKeywords = keywords. isChildOf associations (competency → domain → document)
make the hierarchy; their sequenceNumber orders siblings. The scale and the descriptors are one
CFRubric: a criterion per competency, in each a level per step of the scale (score = value,
quality = label, description = descriptor).

CASE 1.0 texts have one language, and CASE has no place for a framework's key, the descriptions
of the scale's levels or target profiles. The CASE fields hold the Danish texts (English where
there is no Danish); the rest goes in a namespaced `"extensions": {"digikompas": {...}}` on the
CFDocument, the CFItems and the rubric levels. CASE 1.1 gives every object such an `extensions`
member and readers that do not know ours ignore it, so other tools see plain CASE while our own
export reads back unchanged. Identifiers digikompas does not store (associations, rubric parts,
item types) are derived with uuid5, so the same version always gives the same file.

Packages from other tools are read carefully, every problem reported at once. The document's
children that have children become domains, every leaf below one becomes its competency (in tree
order: by sequenceNumber, else as in CFItems) and the items in between are left out; a top-level
leaf becomes a competency in a domain of its own. Texts are English where `language` starts with
"en", else Danish. Notes tell what was not kept: other associations, flattened items, no rubric.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import asdict
from datetime import UTC

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import models as m
from ..content import (
    LANGUAGES,
    CompetencyContent,
    DomainContent,
    FrameworkContent,
    FrameworkRejected,
    Keywords,
    LevelContent,
    Problem,
    ProfileContent,
    Text,
    check,
    derived_identifier,
)
from . import DocumentInfo, Imported

EXTENSION = "digikompas"
DOMAIN, COMPETENCY, CHILD_OF = "Domain", "Competency", "isChildOf"


# -- writing ------------------------------------------------------------------------------------


def _node(identifier, **fields) -> dict:
    """A CASE object, or a LinkURI to one when `fields` is just a title."""
    return {"identifier": str(identifier), "uri": f"urn:uuid:{identifier}", **fields}


def _carry(text: Text, extension: dict, name: str) -> str:
    """The text for a one-language CASE field: Danish, or English when there is no Danish. The
    extension gets what the field does not hold."""
    if text.en:
        extension[name] = {"en": text.en} if text.da else {"da": "", "en": text.en}
    return text.da or text.en


def _extended(obj: dict, extension: dict) -> dict:
    return obj | {"extensions": {EXTENSION: extension}} if extension else obj


def write_case(content: FrameworkContent, *, info: DocumentInfo) -> dict:
    """The framework as a CASE 1.0 CFPackage, a dict for json.dumps (see the module docstring)."""
    changed = (info.last_change or timezone.now()).astimezone(UTC).replace(microsecond=0)
    stamp = {"lastChangeDateTime": changed.isoformat()}
    document_link = _node(content.identifier, title=content.title.da or content.title.en)
    ours = {"key": content.key, "levels": [asdict(level) for level in content.levels]}
    ours["profiles"] = [
        asdict(p) | {"levels": {str(c): level for c, level in p.levels.items()}}
        for p in content.profiles
    ]
    document = _node(
        content.identifier, creator="digikompas",
        title=_carry(content.title, ours, "title"),
        description=_carry(content.description, ours, "description"), language="da",
        **({"version": str(info.version)} if info.version is not None else {}),
        adoptionStatus="Adopted" if info.published_at else "Draft", **stamp,
        CFPackageURI=document_link, extensions={EXTENSION: ours},
    )  # fmt: skip
    types = {
        name: _node(derived_identifier("case", "CFItemType", name), title=name)
        for name in (DOMAIN, COMPETENCY)
    }
    items, associations = [], []

    def add(node, item_type: str, parent: dict, position: int, keywords=None) -> dict:
        more: dict = {}
        item = _node(
            node.identifier, CFDocumentURI=document_link, humanCodingScheme=node.code,
            fullStatement=_carry(node.title, more, "title"),
            notes=_carry(node.description, more, "description"),
            CFItemType=item_type, CFItemTypeURI=types[item_type], language="da", **stamp,
        )  # fmt: skip
        if keywords is not None:
            item["conceptKeywords"] = list(keywords.da)
            more |= {"keywords": {"en": list(keywords.en)}} if keywords.en else {}
        items.append(_extended(item, more))
        link = _node(node.identifier, title=node.code)
        identifier = derived_identifier("case", CHILD_OF, link["identifier"], parent["identifier"])
        associations.append(
            _node(
                identifier, CFDocumentURI=document_link, originNodeURI=link,
                associationType=CHILD_OF, destinationNodeURI=parent, sequenceNumber=position,
                **stamp,
            )
        )  # fmt: skip
        return link

    for d_position, domain in enumerate(content.domains, start=1):
        domain_link = add(domain, DOMAIN, document_link, d_position)
        for c_position, competency in enumerate(domain.competencies, start=1):
            add(competency, COMPETENCY, domain_link, c_position, competency.keywords)
    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {"CFItemTypes": [t | {"typeCode": n} for n, t in types.items()]},
        "CFRubrics": [_rubric(content, stamp)] if content.levels else [],
    }


def _rubric(content: FrameworkContent, stamp: dict) -> dict:
    rubric_id = derived_identifier("case", "CFRubric", str(content.identifier))
    criteria = []
    for position, competency in enumerate(content.competencies, start=1):
        criterion_id = derived_identifier("case", "criterion", str(competency.identifier))
        levels = []
        for level_position, level in enumerate(content.levels, start=1):
            more: dict = {}
            descriptor = competency.descriptors.get(level.value, Text())
            level_id = derived_identifier("case", "level", str(criterion_id), str(level.value))
            level_node = _node(
                level_id, description=_carry(descriptor, more, "description"),
                quality=level.label.da or level.label.en, score=level.value,
                position=level_position, criterionId=str(criterion_id), **stamp,
            )  # fmt: skip
            levels.append(_extended(level_node, more))
        criteria.append(
            _node(
                criterion_id, description=competency.title.da or competency.title.en,
                CFItemURI=_node(competency.identifier, title=competency.code),
                position=position, rubricId=str(rubric_id), **stamp,
                CFRubricCriterionLevels=levels,
            )
        )  # fmt: skip
    title = content.title.da or content.title.en
    return _node(rubric_id, title=title, **stamp, CFRubricCriteria=criteria)


# -- reading ------------------------------------------------------------------------------------


def _string(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _extension(obj: dict) -> dict:
    return _dict(_dict(obj.get("extensions")).get(EXTENSION))


def _language(obj: dict, default: str) -> str:
    language = _string(obj.get("language")).lower()
    return ("en" if language.startswith("en") else "da") if language else default


def _text(value, extension: dict, name: str, language: str) -> Text:
    """A Text from a CASE field in `language`, completed by our extension."""
    values = dict.fromkeys(LANGUAGES, "") | {language: _string(value)}
    carried = _dict(extension.get(name))
    return Text(**values | {lang: _string(carried[lang]) for lang in LANGUAGES if lang in carried})


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _whole_number(value, default: int | None = None) -> int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def read_case(raw: bytes) -> Imported:
    """The content of a CASE 1.0 package, with notes on what digikompas did not keep.

    Our own exports read back to equal content; other packages are mapped as the module
    docstring says. FrameworkRejected lists every problem found, and then nothing is read.
    """
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FrameworkRejected([Problem("", "", _("The file is not UTF-8 text."))]) from None
    except json.JSONDecodeError as error:
        position = {"line": error.lineno, "column": error.colno}
        where = _("line %(line)s, column %(column)s") % position
        reason = _("The file is not valid JSON (%(error)s).") % {"error": error.msg}
        raise FrameworkRejected([Problem(where, "", reason)]) from None
    return _PackageReader().read(data)


class _PackageReader:
    """One reading of a parsed package; it collects problems and notes on the way."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.items: dict[uuid.UUID, tuple[int, dict]] = {}  # identifier → (index, item)
        # Identifiers of refused items: associations with them are skipped, not reported again.
        self.refused: set[str] = set()

    def add(self, where: str, name: str, reason: str) -> None:
        self.problems.append(Problem(where, name, reason))

    def reject(self) -> None:
        if self.problems:
            raise FrameworkRejected(self.problems)

    def read(self, data) -> Imported:
        if not isinstance(data, dict):
            self.add("", "", _("The file is not a CASE package: it is not a JSON object."))
            self.reject()
        document = data.get("CFDocument")
        if not isinstance(document, dict):
            self.add("", "", _("The file is not a CASE package: it has no CFDocument."))
        if not isinstance(data.get("CFItems"), list):
            self.add("", "", _("The file is not a CASE package: it has no CFItems list."))
        self.reject()
        self.document_id = self.identifier(document, "CFDocument")
        self.refused |= {str(document.get("identifier"))} if self.problems else set()
        # A document that names no language has the language of the first item that does.
        languages = (_language(i, "") for i in map(_dict, data["CFItems"]))
        self.language = _language(document, "") or next(filter(None, languages), "da")
        self.ours = _extension(document)
        self.read_items(data["CFItems"])
        tree = self.tree(self.read_associations(_list(data.get("CFAssociations"))))
        descriptors, scale = self.read_rubrics(_list(data.get("CFRubrics")), tree)
        levels, profiles = self.levels(scale), self.profiles()
        self.reject()
        title = _text(document.get("title"), self.ours, "title", self.language)
        key = _string(self.ours.get("key")) or slugify(title.da or title.en)[:100].strip("-")
        description = _text(document.get("description"), self.ours, "description", self.language)
        domains = tuple(self.domain(d, leaves, descriptors) for d, leaves in tree)
        content = FrameworkContent(
            self.document_id, key or "case-import", title, description, levels, domains, profiles
        )
        self.problems.extend(check(content))
        self.reject()
        return Imported(content=content, notes=self.notes)

    def identifier(self, obj: dict, where: str) -> uuid.UUID:
        value = obj.get("identifier")
        if _uuid(value) is None:
            reason = _("“%(value)s” is not a UUID.") % {"value": value}
            self.add(where, "identifier", reason if value else _("The identifier is missing."))
        return _uuid(value) or uuid.uuid4()

    def read_items(self, items: list) -> None:
        seen = {self.document_id: "CFDocument"}
        for index, item in enumerate(items):
            label = _string(_dict(item).get("humanCodingScheme") or _dict(item).get("identifier"))
            where = f"CFItems[{index}] ({label})" if label else f"CFItems[{index}]"
            if not isinstance(item, dict):
                self.add(where, "", _("The item is not a JSON object."))
                continue
            count = len(self.problems)
            identifier = self.identifier(item, where)
            if len(self.problems) == count and identifier in seen:
                reason = _("The identifier %(identifier)s is used twice (also by %(other)s).")
                other = {"identifier": identifier, "other": seen[identifier]}
                self.add(where, "identifier", reason % other)
            if not _string(item.get("fullStatement") or item.get("abbreviatedStatement")):
                reason = _("The item has neither a fullStatement nor an abbreviatedStatement.")
                self.add(where, "fullStatement", reason)
            if len(self.problems) > count:
                self.refused |= {str(item.get("identifier")), str(identifier)}
                continue
            seen[identifier] = where
            self.items[identifier] = (index, item)

    @staticmethod
    def node(link) -> tuple[uuid.UUID | None, str]:
        """The identifier a LinkURI points at (None if it is no UUID), and a label for it."""
        identifier = _dict(link).get("identifier")
        return _uuid(identifier), str(identifier or _dict(link).get("uri") or "?")

    def read_associations(self, associations: list) -> dict[uuid.UUID, tuple]:
        """Item → (parent, sort key among its siblings) by isChildOf; other types are counted."""
        others: Counter[str] = Counter()
        parents: dict[uuid.UUID, tuple] = {}
        for index, association in enumerate(map(_dict, associations)):
            kind = str(association.get("associationType"))
            origin, origin_label = self.node(association.get("originNodeURI"))
            parent, parent_label = self.node(association.get("destinationNodeURI"))
            if kind != CHILD_OF or origin in parents:  # a second parent is not kept either
                others[kind] += 1
            elif not {origin_label, parent_label} & self.refused:
                where = f"CFAssociations[{index}]"
                if origin not in self.items:
                    reason = _("The association points at %(node)s, which is not an item here.")
                    self.add(where, "originNodeURI", reason % {"node": origin_label})
                if parent != self.document_id and parent not in self.items:
                    reason = _(
                        "The association points at %(node)s, which is neither the document "
                        "nor an item here."
                    )
                    self.add(where, "destinationNodeURI", reason % {"node": parent_label})
                elif origin in self.items:
                    # Siblings with a sequenceNumber come first, in its order; the others keep
                    # the order of CFItems.
                    number = _whole_number(association.get("sequenceNumber"))
                    parents[origin] = (parent, (number is None, number or 0, self.items[origin][0]))
        if others:
            counts = ", ".join(f"{kind} {count}" for kind, count in others.items())
            note = _("These associations were not kept (type and number): %(counts)s.")
            self.notes.append(note % {"counts": counts})
        # Items without a parent are taken as top-level items, after the others.
        for identifier in self.items.keys() - parents.keys():
            parents[identifier] = (self.document_id, (True, 1, self.items[identifier][0]))
        return parents

    def code(self, identifier: uuid.UUID) -> str:
        """The humanCodingScheme, or the start of the identifier when there is none."""
        return _string(self.items[identifier][1].get("humanCodingScheme")) or str(identifier)[:8]

    def tree(self, parents: dict) -> list[tuple[uuid.UUID, list[uuid.UUID]]]:
        """Domains and their competencies: the document's children that have children (or are
        our domains) and every leaf below each, in tree order."""
        children: dict[uuid.UUID, list] = {}
        for item, (parent, _position) in sorted(parents.items(), key=lambda p: p[1][1]):
            children.setdefault(parent, []).append(item)
        flattened, self.alone, tree = [], [], []

        def leaves(node: uuid.UUID) -> list[uuid.UUID]:
            below = [c for c in children.get(node, ()) if c in children]
            flattened.extend(below)
            return [x for c in children.get(node, ()) for x in (leaves(c) if c in below else [c])]

        for top in children.get(self.document_id, ()):
            if top in children or self.items[top][1].get("CFItemType") == DOMAIN:
                tree.append((top, leaves(top)))
            else:
                self.alone.append(top)
                tree.append((top, [top]))
        # Every item has one parent, so what the document does not reach hangs in a cycle.
        reached = {i for domain, below in tree for i in (domain, *below)} | set(flattened)
        for start in (i for i in self.items if i not in reached):
            path = [start]
            while (parent := parents[path[-1]][0]) not in path and parent not in reached:
                path.append(parent)
            reached |= set(path)
            if parent in path:
                cycle = [*path[path.index(parent) :], parent]
                where = f"CFItems[{self.items[parent][0]}] ({self.code(parent)})"
                reason = _("The isChildOf associations form a cycle: %(cycle)s.")
                self.add(where, CHILD_OF, reason % {"cycle": " → ".join(map(self.code, cycle))})
        uncoded = [i for i in self.items if not _string(self.items[i][1].get("humanCodingScheme"))]
        for nodes, note in (
            (flattened, ngettext(
                "%(count)s item between domain and competencies was left out: %(codes)s.",
                "%(count)s items between domains and competencies were left out: %(codes)s.",
                len(flattened))),
            (self.alone, ngettext(
                "%(count)s top-level item had nothing below it; it became a competency in a "
                "domain of its own: %(codes)s.",
                "%(count)s top-level items had nothing below them; each became a competency in "
                "a domain of its own: %(codes)s.",
                len(self.alone))),
            (uncoded, ngettext(
                "%(count)s item without humanCodingScheme got a code from its UUID: %(codes)s.",
                "%(count)s items without humanCodingScheme got codes from their UUIDs: %(codes)s.",
                len(uncoded))),
        ):  # fmt: skip
            if nodes:
                codes = ", ".join(map(self.code, nodes))
                self.notes.append(note % {"count": len(nodes), "codes": codes})
        return tree

    def read_rubrics(self, rubrics: list, tree: list) -> tuple[dict, dict[int, str]]:
        """Descriptors (competency → level → text), and the scale the rubric levels name
        (score → quality)."""
        competencies = {c for _domain, leaves in tree for c in leaves}
        descriptors: dict[uuid.UUID, dict[int, Text]] = {}
        scale: dict[int, str] = {}
        for r, rubric in enumerate(map(_dict, rubrics)):
            for c, criterion in enumerate(map(_dict, _list(rubric.get("CFRubricCriteria")))):
                where = f"CFRubrics[{r}].CFRubricCriteria[{c}]"
                item, label = self.node(criterion.get("CFItemURI"))
                if item not in competencies:
                    reason = _("The criterion is for %(node)s, which is not a competency here.")
                    self.add(where, "CFItemURI", reason % {"node": label})
                    continue
                levels = _list(criterion.get("CFRubricCriterionLevels"))
                for n, level in enumerate(map(_dict, levels)):
                    score = _whole_number(level.get("score"))
                    if score is None:
                        reason = _("A level must be a whole number from 0 to %(max)s.")
                        where_n = f"{where}.CFRubricCriterionLevels[{n}]"
                        self.add(where_n, "score", reason % {"max": m.MAX_LEVEL})
                        continue
                    scale.setdefault(score, _string(level.get("quality")) or str(score))
                    more = _extension(level)
                    text = _text(level.get("description"), more, "description", self.language)
                    if text:
                        descriptors.setdefault(item, {})[score] = text
        return descriptors, scale

    def levels(self, scale: dict[int, str]) -> tuple[LevelContent, ...]:
        """Our scale from the extension (both languages, with descriptions), else the scores and
        qualities of a foreign package's rubric levels."""
        levels = [LevelContent(v, Text(**{self.language: q})) for v, q in sorted(scale.items())]
        if "levels" in self.ours:
            # check() refuses a value that is no whole number, read as -1.
            levels = [
                LevelContent(
                    _whole_number(v.get("value"), -1),
                    *(_text("", v, n, "da") for n in ("label", "description")),
                )
                for v in map(_dict, _list(self.ours["levels"]))
            ]
        if not levels:
            note = _("The package has no rubric: add a scale and descriptors before publishing.")
            self.notes.append(note)
        return tuple(levels)

    def profiles(self) -> tuple[ProfileContent, ...]:
        profiles = []
        for profile in map(_dict, _list(self.ours.get("profiles"))):
            # check() refuses what names no competency or no level.
            levels = {_uuid(c): _whole_number(v) for c, v in _dict(profile.get("levels")).items()}
            note = _text("", profile, "note", self.language)
            job_role, kind = _string(profile.get("job_role")), _string(profile.get("library_kind"))
            profiles.append(ProfileContent(job_role, kind, note, levels))
        return tuple(profiles)

    def competency(self, identifier: uuid.UUID, descriptors: dict) -> CompetencyContent:
        """An item as a competency; a domain takes its identifier, code and texts."""
        item = self.items[identifier][1]
        more, language = _extension(item), _language(item, self.language)
        title = item.get("fullStatement") or item.get("abbreviatedStatement")
        keywords = dict.fromkeys(LANGUAGES, ()) | {language: item.get("conceptKeywords")}
        keywords |= _dict(more.get("keywords"))
        return CompetencyContent(
            identifier,
            self.code(identifier),
            _text(title, more, "title", language),
            _text(item.get("notes"), more, "description", language),
            Keywords(
                **{k: tuple(filter(None, map(_string, _list(keywords[k])))) for k in LANGUAGES}
            ),
            descriptors.get(identifier, {}),
        )

    def domain(self, identifier: uuid.UUID, leaves: list, descriptors: dict) -> DomainContent:
        item = self.competency(identifier, {})
        competencies = tuple(self.competency(leaf, descriptors) for leaf in leaves)
        if identifier in self.alone:
            # A domain made for a lone competency needs an identifier and a code of its own.
            identifier = derived_identifier("case", "domain", str(identifier))
            return DomainContent(identifier, f"{item.code}-D", item.title, Text(), competencies)
        return DomainContent(identifier, item.code, item.title, item.description, competencies)
