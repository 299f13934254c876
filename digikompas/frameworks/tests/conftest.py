import json
import uuid

import pytest

from digikompas.frameworks import services
from digikompas.frameworks.content import (
    CompetencyContent,
    DomainContent,
    FrameworkContent,
    Keywords,
    LevelContent,
    ProfileContent,
    Text,
)


def make_content(**overrides) -> FrameworkContent:
    """A small framework whose texts have what files get wrong: commas, quotes, semicolons,
    line breaks, æøå, an empty English text, and a profile for one kind of library."""
    search = CompetencyContent(
        identifier=uuid.uuid4(),
        code="S.1",
        title=Text("Søgning i eReolen", "Searching eReolen"),
        description=Text('Finde "de rigtige" titler; også lydbøger,\nog podcasts.', ""),
        keywords=Keywords(("søgning", "ereolen"), ("search",)),
        descriptors={
            0: Text("Kender ikke eReolen.", "Does not know eReolen."),
            1: Text("Søger med hjælp.", "Searches with help."),
            2: Text("Søger selv; hjælper, når det er let.", "Searches alone, helps when easy."),
        },
    )
    guide = CompetencyContent(
        identifier=uuid.uuid4(),
        code="S.2",
        title=Text("Vejledning", "Guidance"),
        descriptors={0: Text("Ingen."), 1: Text("Lidt."), 2: Text("Meget.", "Much.")},
    )
    lead = CompetencyContent(
        identifier=uuid.uuid4(),
        code="L.1",
        title=Text("Prioritering", "Prioritisation"),
        keywords=Keywords(("årshjul",), ()),
        descriptors={0: Text("Nej."), 1: Text("Lidt."), 2: Text("Ja.")},
    )
    values = {
        "identifier": uuid.uuid4(),
        "key": "testramme",
        "title": Text("Testramme for søgning", "Test framework for searching"),
        "description": Text("Til test.", "For tests."),
        "levels": (
            LevelContent(0, Text("Intet", "None"), Text("Kender det ikke.", "Unaware.")),
            LevelContent(1, Text("Begynder", "Beginner")),
            LevelContent(2, Text("Øvet", "Practitioner")),
        ),
        "domains": (
            DomainContent(
                uuid.uuid4(), "S", Text("Søgning", "Searching"), Text("Om søgning."),
                (search, guide),
            ),
            DomainContent(uuid.uuid4(), "L", Text("Ledelse", "Leadership"), Text(), (lead,)),
        ),
        "profiles": (
            ProfileContent("librarian", "", Text("Bibliotekarer søger.", "Librarians search."),
                           {search.identifier: 2, guide.identifier: 2, lead.identifier: 0}),
            ProfileContent("library_leader", "main", Text(),
                           {search.identifier: 1, lead.identifier: 2}),
        ),
    }  # fmt: skip
    values.update(overrides)
    return FrameworkContent(**values)


def foreign_package() -> bytes:
    """A CASE package from another tool: English, no rubric, and a related-to association."""
    document, domain, competency = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def link(identifier):
        return {"identifier": str(identifier), "uri": f"urn:uuid:{identifier}"}

    def association(kind, origin, destination):
        return {
            "identifier": str(uuid.uuid4()),
            "associationType": kind,
            "originNodeURI": link(origin),
            "destinationNodeURI": link(destination),
        }

    package = {
        "CFDocument": {"identifier": str(document), "title": "Digital Skills", "language": "en"},
        "CFItems": [
            {"identifier": str(domain), "humanCodingScheme": "A", "fullStatement": "Information",
             "CFItemType": "Domain"},
            {"identifier": str(competency), "humanCodingScheme": "A.1",
             "fullStatement": "Searching"},
        ],
        "CFAssociations": [
            association("isChildOf", domain, document),
            association("isChildOf", competency, domain),
            association("isRelatedTo", competency, domain),
        ],
    }  # fmt: skip
    return json.dumps(package).encode()


@pytest.fixture
def content():
    return make_content()


@pytest.fixture
def framework(db, content):
    """The small framework, stored as a draft."""
    return services.create_framework(content=content)
