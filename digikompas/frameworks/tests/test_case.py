"""CASE 1.0 packages: our export reads back unchanged, other tools' packages import with notes,
and a broken package is refused with every problem named."""

import copy
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import translation

from digikompas.frameworks import models as m
from digikompas.frameworks import services
from digikompas.frameworks.content import (
    CompetencyContent,
    DomainContent,
    FrameworkRejected,
    LevelContent,
    Text,
    content_of,
)
from digikompas.frameworks.interchange import DocumentInfo, read_file, write_file
from digikompas.frameworks.interchange.case import read_case, write_case

from .conftest import make_content

DATA = Path(__file__).parent / "data"
DOCUMENT = "5f0c6a52-8f55-4c8e-9d0a-1b2c3d4e5f60"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def dumped(package) -> bytes:
    return json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")


def problems(raw: bytes) -> list[str]:
    with pytest.raises(FrameworkRejected) as rejected:
        read_case(raw)
    return [str(problem) for problem in rejected.value.problems]


# A small foreign package, as another tool writes it: no types, no extensions, no rubric.


def item(code: str, identifier: str | None = None, **fields) -> dict:
    identifier = identifier or str(uuid.uuid5(uuid.NAMESPACE_URL, code))
    return {"identifier": identifier, "humanCodingScheme": code, "fullStatement": code, **fields}


def child_of(child: dict, parent: dict | str, **fields) -> dict:
    parent_id = parent if isinstance(parent, str) else parent["identifier"]
    return {
        "identifier": str(uuid.uuid4()),
        "associationType": "isChildOf",
        "originNodeURI": {"title": "", "identifier": child["identifier"], "uri": "x"},
        "destinationNodeURI": {"title": "", "identifier": parent_id, "uri": "y"},
        **fields,
    }


def foreign(items: list, associations: list, **more) -> bytes:
    document = {"identifier": DOCUMENT, "uri": "x", "title": "Small framework", "language": "en"}
    package = {"CFDocument": document, "CFItems": items, "CFAssociations": associations}
    return dumped(package | more)


# -- our own packages ---------------------------------------------------------------------------


def test_an_exported_framework_reads_back_equal(content):
    imported = read_case(dumped(write_case(content, info=DocumentInfo())))

    assert imported.content == content
    assert imported.notes == []


def test_it_reads_back_through_the_file_functions(content):
    raw = write_file(content, file_format="case", info=DocumentInfo(version=2))

    assert read_file(raw=raw, filename="testramme.json").content == content


def test_texts_only_in_english_read_back_in_english():
    english_only = CompetencyContent(
        identifier=uuid.uuid4(),
        code="E.1",
        title=Text("", "Only English"),
        description=Text("", "Described in English."),
        descriptors={0: Text("", "Nothing."), 2: Text("Meget.", "Much.")},
    )
    content = make_content(
        title=Text("", "English framework"),
        description=Text(),
        domains=(DomainContent(uuid.uuid4(), "E", Text("", "English"), Text(), (english_only,)),),
        profiles=(),
    )
    package = write_case(content, info=DocumentInfo())

    assert package["CFItems"][1]["fullStatement"] == "Only English"
    assert read_case(dumped(package)).content == content


def test_an_empty_domain_and_an_empty_scale_read_back():
    content = make_content(
        levels=(),
        domains=(
            DomainContent(uuid.uuid4(), "E", Text("Tom", "Empty")),
            DomainContent(
                uuid.uuid4(), "F", Text("Fuld"), Text(),
                (CompetencyContent(uuid.uuid4(), "F.1", Text("Noget")),),
            ),
        ),
        profiles=(),
    )  # fmt: skip
    package = write_case(content, info=DocumentInfo())

    assert package["CFRubrics"] == []
    assert read_case(dumped(package)).content == content


def test_it_reads_back_into_the_database(framework, content):
    raw = write_file(content_of(framework), file_format="case", info=DocumentInfo(version=1))
    # The document identifier is the framework's, which may be here only once.
    services.delete_draft(framework=framework)

    imported = services.create_framework(content=read_case(raw).content)

    assert content_of(imported) == content
    assert imported.key == "testramme"


def test_the_package_has_the_case_structure(content):
    published = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    changed = datetime(2025, 3, 2, 8, 30, 15, 123456, tzinfo=UTC)
    info = DocumentInfo(version=3, published_at=published, last_change=changed)

    package = write_case(content, info=info)

    document = package["CFDocument"]
    assert document["identifier"] == str(content.identifier)
    assert document["uri"] == f"urn:uuid:{content.identifier}"
    assert document["CFPackageURI"]["uri"] == f"urn:uuid:{content.identifier}"
    assert (document["title"], document["language"]) == ("Testramme for søgning", "da")
    assert (document["version"], document["adoptionStatus"]) == ("3", "Adopted")
    assert document["lastChangeDateTime"] == "2025-03-02T08:30:15+00:00"
    ours = document["extensions"]["digikompas"]
    assert ours["key"] == "testramme"
    assert ours["title"] == {"en": "Test framework for searching"}
    assert ours["levels"][0] == {
        "value": 0,
        "label": {"da": "Intet", "en": "None"},
        "description": {"da": "Kender det ikke.", "en": "Unaware."},
    }
    search, lead = content.domains[0].competencies[0], content.domains[1].competencies[0]
    assert ours["profiles"][1] == {
        "job_role": "library_leader",
        "library_kind": "main",
        "note": {"da": "", "en": ""},
        "levels": {str(search.identifier): 1, str(lead.identifier): 2},
    }

    # Two domains and three competencies, each the child of the one above, in order.
    items = package["CFItems"]
    assert [(i["CFItemType"], i["humanCodingScheme"]) for i in items] == [
        ("Domain", "S"),
        ("Competency", "S.1"),
        ("Competency", "S.2"),
        ("Domain", "L"),
        ("Competency", "L.1"),
    ]
    search = items[1]
    assert search["fullStatement"] == "Søgning i eReolen"
    assert search["conceptKeywords"] == ["søgning", "ereolen"]
    assert search["CFDocumentURI"]["identifier"] == str(content.identifier)
    assert search["extensions"]["digikompas"]["keywords"] == {"en": ["search"]}
    hierarchy = [
        (a["originNodeURI"]["title"], a["destinationNodeURI"]["title"], a["sequenceNumber"])
        for a in package["CFAssociations"]
        if a["associationType"] == "isChildOf"
    ]
    assert hierarchy == [
        ("S", "Testramme for søgning", 1),
        ("S.1", "S", 1),
        ("S.2", "S", 2),
        ("L", "Testramme for søgning", 2),
        ("L.1", "L", 1),
    ]
    types = package["CFDefinitions"]["CFItemTypes"]
    assert [t["title"] for t in types] == ["Domain", "Competency"]

    # One rubric: a criterion per competency, a level per step of the scale.
    (rubric,) = package["CFRubrics"]
    criteria = rubric["CFRubricCriteria"]
    assert [c["CFItemURI"]["title"] for c in criteria] == ["S.1", "S.2", "L.1"]
    assert [len(c["CFRubricCriterionLevels"]) for c in criteria] == [3, 3, 3]
    top = criteria[0]["CFRubricCriterionLevels"][2]
    assert (top["score"], top["quality"]) == (2, "Øvet")
    assert top["description"] == "Søger selv; hjælper, når det er let."
    assert top["extensions"]["digikompas"] == {
        "description": {"en": "Searches alone, helps when easy."}
    }
    assert top["criterionId"] == criteria[0]["identifier"]
    assert criteria[0]["rubricId"] == rubric["identifier"]


def test_a_draft_is_written_as_a_draft_and_the_same_way_twice(content):
    info = DocumentInfo(last_change=datetime(2025, 1, 1, tzinfo=UTC))

    package = write_case(content, info=info)

    assert package["CFDocument"]["adoptionStatus"] == "Draft"
    assert "version" not in package["CFDocument"]
    assert dumped(package) == dumped(write_case(content, info=info))


def test_a_descriptor_for_a_level_the_scale_lacks_is_refused(content):
    package = write_case(content, info=DocumentInfo())
    level = package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][2]
    level["score"] = 7

    assert problems(dumped(package)) == [
        "competency S.1, descriptor for level 7: The scale has no level 7."
    ]


def test_a_criterion_for_an_unknown_item_is_refused(content):
    package = write_case(content, info=DocumentInfo())
    criterion = package["CFRubrics"][0]["CFRubricCriteria"][1]
    criterion["CFItemURI"]["identifier"] = DOCUMENT

    assert problems(dumped(package)) == [
        f"CFRubrics[0].CFRubricCriteria[1], CFItemURI: The criterion is for {DOCUMENT}, "
        "which is not a competency here."
    ]


# -- packages from other tools ------------------------------------------------------------------


def test_the_act_math_framework_imports_with_notes(db):
    raw = (DATA / "opensalt_act_holistic_math.json").read_bytes()

    imported = read_case(raw)

    content = imported.content
    assert content.identifier == uuid.UUID("a33fc64e-5c40-11e7-82c4-3d54268aa9ee")
    assert content.key == "act-holistic-framework-math"
    # The package names no language, so its texts are taken as Danish.
    assert content.title == Text("ACT Holistic Framework, Math")
    (domain,) = content.domains
    assert domain.code == "H.A.MATH.GM"
    assert len(domain.competencies) == 24
    # Without sequence numbers, siblings keep the order of CFItems.
    assert [c.code.removeprefix("H.A.MATH.GM.PF.2DFP.L1.") for c in domain.competencies][:4] == [
        "1",
        "10",
        "11",
        "12",
    ]
    assert domain.competencies[3].description.da.startswith("The number of sides a shape has")
    assert content.levels == ()
    assert imported.notes == [
        "3 items between domains and competencies were left out: "
        "H.A.MATH.GM.PF, H.A.MATH.GM.PF.2DFP, H.A.MATH.GM.PF.2DFP.L1.",
        "The package has no rubric: add a scale and descriptors before publishing.",
    ]

    framework = services.create_framework(content=content)
    assert framework.competencies.count() == 24
    assert content_of(framework) == content


def test_what_standards_could_be_imports_with_notes(db):
    raw = (DATA / "opensalt_what_standards_could_be.json").read_bytes()

    imported = read_case(raw)

    content = imported.content
    assert content.key == "what-standards-could-be"
    assert content.title == Text("", "What Standards Could Be")
    prefix = "CCSS.Math.Content."
    assert [
        (d.code.removeprefix(prefix), [c.code.removeprefix(prefix) for c in d.competencies])
        for d in content.domains
    ] == [
        ("6.RP.A", ["6.RP.A.1", "6.RP.A.2", "6.RP.A.3a", "6.RP.A.3b", "6.RP.A.3c", "6.RP.A.3d"]),
        ("7.RP.A", ["7.RP.A.1", "7.RP.A.2a", "7.RP.A.2b", "7.RP.A.2c", "7.RP.A.2d", "7.RP.A.3"]),
    ]
    first = content.domains[0].competencies[0]
    assert first.title == Text(
        "", "Understand the concept of a ratio and use ratio language to describe a ratio "
        "relationship between two quantities."
    )  # fmt: skip
    assert imported.notes == [
        "These associations were not kept (type and number): exactMatchOf 16, precedes 3, "
        "exemplar 2, isRelatedTo 2.",
        "2 items between domains and competencies were left out: "
        "CCSS.Math.Content.6.RP.A.3, CCSS.Math.Content.7.RP.A.2.",
        "The package has no rubric: add a scale and descriptors before publishing.",
    ]

    framework = services.create_framework(content=content)
    assert framework.domains.count() == 2
    assert framework.competencies.count() == 12
    assert m.Competency.objects.get(code=first.code).title_en == first.title.en


def test_a_foreign_package_is_ordered_by_sequence_number_and_read_in_its_language():
    domain = item("D", fullStatement="Digitale ressourcer", language="da")
    second, first = item("D.2"), item("D.1", conceptKeywords=["e-bøger", " lyd "])
    alone = item("X", notes="Stands alone.")
    raw = foreign(
        [domain, second, first, alone],
        [
            child_of(alone, DOCUMENT, sequenceNumber=2),
            child_of(domain, DOCUMENT, sequenceNumber=1),
            child_of(second, domain, sequenceNumber=2),
            child_of(first, domain, sequenceNumber=1),
        ],
    )

    imported = read_case(raw)

    d, x = imported.content.domains
    assert (d.code, d.title) == ("D", Text("Digitale ressourcer"))
    assert [(c.code, c.keywords.en) for c in d.competencies] == [
        ("D.1", ("e-bøger", "lyd")),
        ("D.2", ()),
    ]
    # A lone top-level item becomes a competency in a domain made from it.
    assert (x.code, x.title, x.description) == ("X-D", Text("", "X"), Text())
    assert x.identifier != x.competencies[0].identifier
    (competency,) = x.competencies
    assert (competency.code, competency.description) == ("X", Text("", "Stands alone."))
    assert imported.notes[0] == (
        "1 top-level item had nothing below it; it became a competency in a domain of its own: X."
    )


def test_an_item_without_code_gets_one_from_its_identifier():
    domain = item("D")
    uncoded = item("", "0b7e9d1a-2222-4333-8444-555566667777", fullStatement="No code")
    del uncoded["humanCodingScheme"]

    imported = read_case(foreign([domain, uncoded], [child_of(uncoded, domain)]))

    assert imported.content.domains[0].competencies[0].code == "0b7e9d1a"
    assert imported.notes[0] == (
        "1 item without humanCodingScheme got a code from its UUID: 0b7e9d1a."
    )


def test_a_foreign_rubric_gives_the_scale_and_descriptors():
    domain, competency = item("D"), item("D.1")
    rubric = {
        "identifier": str(uuid.uuid4()),
        "CFRubricCriteria": [
            {
                "CFItemURI": {"identifier": competency["identifier"]},
                "CFRubricCriterionLevels": [
                    {"score": 2.0, "quality": "Proficient", "description": "Does it well."},
                    {"score": 1, "quality": "Basic", "description": "Does it."},
                ],
            }
        ],
    }
    raw = foreign([domain, competency], [child_of(competency, domain)], CFRubrics=[rubric])

    content = read_case(raw).content

    assert content.levels == (
        LevelContent(1, Text("", "Basic")),
        LevelContent(2, Text("", "Proficient")),
    )
    assert content.domains[0].competencies[0].descriptors == {
        1: Text("", "Does it."),
        2: Text("", "Does it well."),
    }


# -- files that are refused ---------------------------------------------------------------------


def test_broken_json_is_refused_with_line_and_column():
    raw = b'{\n  "CFDocument": {"title": "x" "uri": "y"}\n}'

    assert problems(raw) == [
        "line 2, column 31: The file is not valid JSON (Expecting ',' delimiter)."
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[]", "The file is not a CASE package: it is not a JSON object."),
        (b'{"CFItems": []}', "The file is not a CASE package: it has no CFDocument."),
        (b'{"CFDocument": {}}', "The file is not a CASE package: it has no CFItems list."),
    ],
)
def test_a_file_that_is_no_case_package_is_refused(raw, message):
    assert problems(raw) == [message]


def test_an_item_without_identifier_is_refused():
    domain, competency = item("D"), item("D.1")
    del competency["identifier"]

    raw = foreign([domain, competency], [])

    assert problems(raw) == ["CFItems[1] (D.1), identifier: The identifier is missing."]


def test_an_item_whose_identifier_is_no_uuid_is_refused():
    domain, competency = item("D"), item("D.1", "D-1")

    raw = foreign([domain, competency], [child_of(competency, domain)])

    # The association to the refused item is not reported a second time.
    assert problems(raw) == ["CFItems[1] (D.1), identifier: “D-1” is not a UUID."]


def test_an_item_without_statement_is_refused():
    domain, competency = item("D"), item("D.1", fullStatement=" ")

    raw = foreign([domain, competency], [child_of(competency, domain)])

    assert problems(raw) == [
        "CFItems[1] (D.1), fullStatement: "
        "The item has neither a fullStatement nor an abbreviatedStatement."
    ]


def test_an_abbreviated_statement_is_enough():
    domain = item("D")
    competency = item("D.1", fullStatement="", abbreviatedStatement="Short")

    content = read_case(foreign([domain, competency], [child_of(competency, domain)])).content

    assert content.domains[0].competencies[0].title == Text("", "Short")


def test_a_child_of_an_unknown_node_is_refused():
    domain, competency = item("D"), item("D.1")
    unknown = "9a9a9a9a-0000-4000-8000-000000000000"

    raw = foreign([domain, competency], [child_of(domain, DOCUMENT), child_of(competency, unknown)])

    assert problems(raw) == [
        f"CFAssociations[1], destinationNodeURI: The association points at {unknown}, "
        "which is neither the document nor an item here."
    ]


def test_duplicate_identifiers_are_refused():
    domain, competency = item("D"), item("D.1")
    twin = item("D.2", competency["identifier"])

    raw = foreign([domain, competency, twin], [child_of(competency, domain)])

    assert problems(raw) == [
        f"CFItems[2] (D.2), identifier: The identifier {competency['identifier']} is used "
        "twice (also by CFItems[1] (D.1))."
    ]


def test_a_cycle_is_refused():
    a, b, c = item("A"), item("B"), item("C")

    raw = foreign([a, b, c], [child_of(a, b), child_of(b, c), child_of(c, a)])

    assert problems(raw) == [
        "CFItems[0] (A), isChildOf: The isChildOf associations form a cycle: A → B → C → A."
    ]


def test_every_problem_is_reported_together():
    domain, bad_id = item("D"), item("D.1", "not-a-uuid")
    no_statement = item("D.2", fullStatement=None)
    orphan = item("D.3")
    unknown = "9a9a9a9a-0000-4000-8000-000000000000"
    associations = [child_of(bad_id, domain), child_of(orphan, unknown)]

    messages = problems(foreign([domain, bad_id, no_statement, orphan], associations))

    assert messages == [
        "CFItems[1] (D.1), identifier: “not-a-uuid” is not a UUID.",
        "CFItems[2] (D.2), fullStatement: "
        "The item has neither a fullStatement nor an abbreviatedStatement.",
        f"CFAssociations[1], destinationNodeURI: The association points at {unknown}, "
        "which is neither the document nor an item here.",
    ]


def test_a_foreign_package_is_checked_like_any_framework():
    domain, first = item("D"), item("D.1")
    second = item("D.1", str(uuid.uuid4()), fullStatement="Again")

    raw = foreign([domain, first, second], [child_of(first, domain), child_of(second, domain)])

    assert problems(raw) == [
        "competency D.1, code: The code D.1 is used twice (also by competency D.1)."
    ]


def test_a_document_whose_identifier_is_no_uuid_is_refused_once():
    domain = item("D")
    package = json.loads(foreign([domain], [child_of(domain, "doc-1")]))
    package["CFDocument"]["identifier"] = "doc-1"

    assert problems(dumped(package)) == ["CFDocument, identifier: “doc-1” is not a UUID."]


def test_our_extension_is_kept_apart_from_the_case_fields(content):
    """A reader that ignores extensions sees a plain CASE package: Danish texts, no profiles."""
    package = write_case(content, info=DocumentInfo())
    plain = copy.deepcopy(package)
    for obj in [plain["CFDocument"], *plain["CFItems"]]:
        obj.pop("extensions", None)

    imported = read_case(dumped(plain))

    assert imported.content.key == "testramme-for-sgning"
    assert imported.content.title == Text("Testramme for søgning")
    assert imported.content.profiles == ()
    assert [level.value for level in imported.content.levels] == [0, 1, 2]
