"""The national demo: FICTITIOUS libraries and people for all 98 municipalities.

The municipalities are the real ones (shipped reference data) and each library service's code
follows the real agency-number pattern 7 + kommunekode + 00 (DOMAIN.md §1.2). Everything below
them is invented: the branches, their names and kinds, and every person. No public list of Danish
library branches exists, so the demo does not pretend to know them.

generate() is pure (no database): the same seed gives the same libraries, names, e-mail addresses
and job roles. load() writes a generated set in one transaction with bulk inserts, and gives the
seven demo logins (one per role) the demo-only password DEMO_PASSWORD.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import ProtectedError, Q

from digikompas.orgs.demo_names import (
    BRANCH_WORDS,
    FEMALE_FIRST_NAMES,
    MALE_FIRST_NAMES,
    SURNAMES,
)
from digikompas.orgs.models import (
    ROLE_SCOPE,
    JobRole,
    Library,
    LibraryKind,
    Municipality,
    Person,
    Role,
    RoleGrant,
    Scope,
)

DEFAULT_SEED = 2026
# Every demo address lies under this domain: the logins directly, generated staff under
# <municipality-slug>.demo.digikompas.dk. Removing the demo removes exactly these.
DEMO_DOMAIN = "demo.digikompas.dk"
# Demo only: printed by load_demo for anyone trying the product. Never load the demo into a
# database that holds real people.
DEMO_PASSWORD = "digikompas-demo"  # noqa: S105  # nosec B105
# Demo only too: printed by load_demo, so that a visitor can add them to an authenticator app.
ANALYST_TOTP_SECRET = "DIGIKOMPASDEMOANALYTIKERTOTPKEYS"  # noqa: S105  # nosec B105
ADMINISTRATOR_TOTP_SECRET = "DIGIKOMPASDEMOADMINISTRATORTOTPK"  # noqa: S105  # nosec B105

TARGET_LIBRARIES = 450
TARGET_PEOPLE = 5000
ODENSE = 461  # the municipality of the staff, library-leader and municipal-leader logins

# Branches per municipality grow with population**0.7: København gets about 20 libraries, the
# small islands only their main library, close to the real spread.
BRANCH_EXPONENT = 0.7
# By kind of library: its weight in sharing out the municipality's staff, and the least staff
# it has besides its leader. A main library gets about four times a branch's staff.
LIBRARY_SIZE = {
    LibraryKind.MAIN: (4.0, 3),
    LibraryKind.BRANCH: (1.0, 2),
    LibraryKind.COMBINED: (1.2, 2),
    LibraryKind.MOBILE: (0.4, 1),
}
STAFF_MIX = {
    JobRole.LIBRARIAN: 42,
    JobRole.LIBRARY_ASSISTANT: 36,
    JobRole.COMMUNICATOR: 8,
    JobRole.DIGITAL_GUIDE: 7,
    JobRole.STUDENT_ASSISTANT: 7,
}
FEMALE_SHARE = 0.72  # most Danish library staff are women
HEAD, LEADER = JobRole.HEAD_OF_LIBRARIES, JobRole.LIBRARY_LEADER
COMMON_BRANCH_WORDS = 6  # Nord, Øst, Vest, Syd, Centrum, Havnen are used before the rarer words


class DemoError(Exception):
    """The demo cannot be loaded or used as asked; the message says why."""


@dataclass(frozen=True)
class DemoLogin:
    email: str
    title: str  # the role as the login table shows it
    role: str | None  # the granted role; None for the staff member
    totp_secret: str | None = None  # base32; set for the roles that must use two factors


STAFF_LOGIN = DemoLogin(
    "medarbejder@demo.digikompas.dk", "Staff member (librarian, Odense Hovedbibliotek)", None
)
LIBRARY_LEADER_LOGIN = DemoLogin(
    "biblioteksleder@demo.digikompas.dk",
    "Library leader (Odense Hovedbibliotek)",
    Role.LIBRARY_LEADER,
)
MUNICIPAL_LEADER_LOGIN = DemoLogin(
    "kommuneleder@demo.digikompas.dk", "Municipal leader (Odense)", Role.MUNICIPAL_LEADER
)
ANALYST_LOGIN = DemoLogin(
    "analytiker@demo.digikompas.dk", "Analyst", Role.ANALYST, ANALYST_TOTP_SECRET
)
COORDINATOR_LOGIN = DemoLogin(
    "koordinator@demo.digikompas.dk", "Education coordinator", Role.EDUCATION_COORDINATOR
)
PROVIDER_LOGIN = DemoLogin(
    "udbyder@demo.digikompas.dk", "Education provider", Role.EDUCATION_PROVIDER
)
ADMINISTRATOR_LOGIN = DemoLogin(
    "administrator@demo.digikompas.dk",
    "Administrator",
    Role.ADMINISTRATOR,
    ADMINISTRATOR_TOTP_SECRET,
)
NATIONAL_LOGINS = (ANALYST_LOGIN, COORDINATOR_LOGIN, PROVIDER_LOGIN, ADMINISTRATOR_LOGIN)
DEMO_LOGINS = (STAFF_LOGIN, LIBRARY_LEADER_LOGIN, MUNICIPAL_LEADER_LOGIN, *NATIONAL_LOGINS)


@dataclass(frozen=True)
class MunicipalityFacts:
    code: int
    name: str
    population: int


@dataclass(frozen=True)
class DemoLibrary:
    code: str
    name: str
    kind: str
    municipality_code: int


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    job_role: str
    library_code: str | None
    municipality_code: int | None  # where the person works; None for the national roles
    role: str | None = None  # one grant, over the library, the municipality or the nation
    login: DemoLogin | None = None


@dataclass(frozen=True)
class DemoData:
    seed: int
    libraries: tuple[DemoLibrary, ...]
    people: tuple[DemoPerson, ...]


# -- the pure generator -------------------------------------------------------------------------


def ascii_fold(text: str) -> str:
    """Lower-case ASCII for e-mail addresses: æ, ø, å become ae, oe, aa, accents are dropped."""
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text)).strip("-")


def apportion(total: int, weights: Sequence[float], minimums: Sequence[int]) -> list[int]:
    """Split total into whole shares of at least the minimums, the rest in proportion to weights.

    Largest remainder: the shares sum to exactly total whenever the minimums fit in it.
    """
    rest = max(0, total - sum(minimums))
    weight_sum = sum(weights) or 1.0
    quotas = [rest * w / weight_sum for w in weights]
    shares = [int(q) for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: shares[i] - quotas[i])
    for i in by_remainder[: rest - sum(shares)]:
        shares[i] += 1
    return [m + s for m, s in zip(minimums, shares, strict=True)]


class _Namer:
    """Invents people: Danish names, and addresses made unique by a counter per name."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: Counter[tuple[str, str]] = Counter()

    def person(self, domain, job_role, library_code, municipality_code, role=None) -> DemoPerson:
        rng = self.rng
        firsts = FEMALE_FIRST_NAMES if rng.random() < FEMALE_SHARE else MALE_FIRST_NAMES
        first, last, middle = rng.choice(firsts), rng.choice(SURNAMES), rng.choice(SURNAMES)
        # Some Danes carry a middle surname ("Anne Holm Nielsen"); the address uses the last.
        name = f"{first} {middle} {last}" if rng.random() < 0.15 and middle != last else None
        local = f"{ascii_fold(first)}.{ascii_fold(last)}"
        self.used[local, domain] += 1
        email = f"{local}.{self.used[local, domain]}@{domain}"
        return DemoPerson(
            name or f"{first} {last}", email, job_role, library_code, municipality_code, role
        )


def _libraries_of(municipality: MunicipalityFacts, branches: int, rng: random.Random):
    prefix = f"7{municipality.code:03d}00"
    name = municipality.name
    yield DemoLibrary(f"{prefix}-01", f"{name} Hovedbibliotek", LibraryKind.MAIN, municipality.code)
    common = list(BRANCH_WORDS[:COMMON_BRANCH_WORDS])
    rare = list(BRANCH_WORDS[COMMON_BRANCH_WORDS:])
    rng.shuffle(common)
    rng.shuffle(rare)
    words = common + rare
    has_bus = branches >= 2 and rng.random() < 0.35
    for number in range(2, branches + 2):
        word = words[number - 2]
        if has_bus and number == branches + 1:
            kind, title = LibraryKind.MOBILE, f"{name} Bogbussen"
        elif rng.random() < 0.2:
            kind, title = LibraryKind.COMBINED, f"{name} Bibliotek og Borgerservice {word}"
        else:
            kind, title = LibraryKind.BRANCH, f"{name} Bibliotek {word}"
        yield DemoLibrary(f"{prefix}-{number:02d}", title, kind, municipality.code)


def generate(municipalities: Iterable[MunicipalityFacts], *, seed: int = DEFAULT_SEED) -> DemoData:
    """The demo for these municipalities; the same seed gives the same data."""
    rng = random.Random(seed)  # noqa: S311 – repeatable demo data, not a secret  # nosec B311
    municipalities = sorted(municipalities, key=lambda m: m.code)
    if ODENSE not in {m.code for m in municipalities}:
        raise DemoError("The demo needs the municipality Odense (461); load the reference data.")
    branch_counts = apportion(
        TARGET_LIBRARIES - len(municipalities),
        [m.population**BRANCH_EXPONENT * rng.uniform(0.85, 1.15) for m in municipalities],
        [0] * len(municipalities),
    )
    namer = _Namer(rng)
    people: list[DemoPerson] = []
    libraries: list[DemoLibrary] = []
    staff_total = TARGET_PEOPLE - TARGET_LIBRARIES - len(municipalities) - len(NATIONAL_LOGINS)
    population = sum(m.population for m in municipalities) or 1
    for m, branches in zip(municipalities, branch_counts, strict=True):
        domain = f"{slug(m.name)}.{DEMO_DOMAIN}"
        own = list(_libraries_of(m, branches, rng))
        libraries.extend(own)
        people.append(namer.person(domain, HEAD, None, m.code, Role.MUNICIPAL_LEADER))
        # The municipality's staff follows its population; its libraries share it by kind.
        staff = apportion(
            round(staff_total * m.population / population),
            [LIBRARY_SIZE[lib.kind][0] * rng.uniform(0.9, 1.1) for lib in own],
            [LIBRARY_SIZE[lib.kind][1] for lib in own],
        )
        for lib, count in zip(own, staff, strict=True):
            people.append(namer.person(domain, LEADER, lib.code, m.code, Role.LIBRARY_LEADER))
            people.extend(
                namer.person(domain, job_role, lib.code, m.code)
                for job_role in rng.choices(list(STAFF_MIX), list(STAFF_MIX.values()), k=count)
            )
    for login in NATIONAL_LOGINS:
        person = namer.person(DEMO_DOMAIN, JobRole.OTHER, None, None, login.role)
        people.append(replace(person, email=login.email, login=login))
    _give_odense_logins(people)
    return DemoData(seed=seed, libraries=tuple(libraries), people=tuple(people))


def _give_odense_logins(people: list[DemoPerson]) -> None:
    """Turn three Odense people into the staff, library-leader and municipal-leader logins."""
    main = f"7{ODENSE:03d}00-01"

    def first(condition) -> int:
        return next(i for i, p in enumerate(people) if condition(p))

    head = first(lambda p: p.role == Role.MUNICIPAL_LEADER and p.municipality_code == ODENSE)
    leader = first(lambda p: p.role == Role.LIBRARY_LEADER and p.library_code == main)
    staff = first(lambda p: p.library_code == main and p.job_role != JobRole.LIBRARY_LEADER)
    for index, login in ((head, MUNICIPAL_LEADER_LOGIN), (leader, LIBRARY_LEADER_LOGIN)):
        people[index] = replace(people[index], email=login.email, login=login)
    # The login is "a librarian", whatever job role the dice gave the first staff member.
    people[staff] = replace(
        people[staff], email=STAFF_LOGIN.email, job_role=JobRole.LIBRARIAN, login=STAFF_LOGIN
    )


# -- the database -------------------------------------------------------------------------------


def _demo_email() -> Q:
    """Addresses of the demo: the logins @demo.digikompas.dk and the staff at its subdomains."""
    return Q(email__iendswith=f"@{DEMO_DOMAIN}") | Q(email__iendswith=f".{DEMO_DOMAIN}")


@dataclass(frozen=True)
class DemoSummary:
    municipalities: int
    libraries: int
    people: int
    library_leaders: int
    municipal_leaders: int


def summary() -> DemoSummary:
    """What of the demo is in the database now."""
    people = Person.objects.filter(_demo_email())
    libraries = Library.objects.filter(people__in=people).distinct()
    grants = RoleGrant.objects.filter(person__in=people)
    return DemoSummary(
        municipalities=libraries.values("municipality").distinct().count(),
        libraries=libraries.count(),
        people=people.count(),
        library_leaders=grants.filter(role=Role.LIBRARY_LEADER).count(),
        municipal_leaders=grants.filter(role=Role.MUNICIPAL_LEADER).count(),
    )


def is_loaded() -> bool:
    """True when all demo logins exist; DemoError when only some do (the demo was tampered with)."""
    found = (
        get_user_model().objects.filter(email__in=[login.email for login in DEMO_LOGINS]).count()
    )
    if 0 < found < len(DEMO_LOGINS):
        raise DemoError(
            f"Only {found} of the {len(DEMO_LOGINS)} demo logins exist; "
            "run load_demo --reset to load the demo again."
        )
    return found == len(DEMO_LOGINS)


def remove() -> None:
    """Delete the demo: people and logins under the demo domain and the libraries they staff.

    A library keeps existing if people from outside the demo work there.
    """
    people = Person.objects.filter(_demo_email())
    library_ids = set(Library.objects.filter(people__in=people).values_list("pk", flat=True))
    try:
        people.delete()
        get_user_model().objects.filter(_demo_email()).delete()
        Library.objects.filter(pk__in=library_ids, people__isnull=True).delete()
    except ProtectedError as error:
        # Another app's records (answers, enrolments ...) refer to demo people or libraries.
        raise DemoError(
            f"The demo cannot be removed: {len(error.protected_objects)} other records refer "
            "to its people or libraries."
        ) from None


def load(*, seed: int = DEFAULT_SEED, reset: bool = False) -> DemoData:
    """Generate the demo and write it in one transaction (after removing an old one on reset)."""
    User = get_user_model()
    with transaction.atomic():
        if reset:
            remove()
        municipalities = {m.code: m for m in Municipality.objects.all()}
        data = generate(
            (MunicipalityFacts(m.code, m.name, m.population or 0) for m in municipalities.values()),
            seed=seed,
        )
        _refuse_conflicts(data)

        libraries = Library.objects.bulk_create(
            Library(
                municipality=municipalities[lib.municipality_code],
                code=lib.code,
                name=lib.name,
                kind=lib.kind,
            )
            for lib in data.libraries
        )
        library_by_code = {library.code: library for library in libraries}

        # One hash for the seven logins: the password is public anyway, and each hash costs
        # about half a second.
        password = make_password(DEMO_PASSWORD)
        users = User.objects.bulk_create(
            User(
                email=login.email,
                password=password,
                is_staff=login is ADMINISTRATOR_LOGIN,
                is_superuser=login is ADMINISTRATOR_LOGIN,
            )
            for login in DEMO_LOGINS
        )
        user_by_email = {user.email: user for user in users}
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
        )
        for login in DEMO_LOGINS:
            if login.totp_secret:
                TOTP.activate(user_by_email[login.email], login.totp_secret)

        people = Person.objects.bulk_create(
            Person(
                name=p.name,
                email=p.email,
                job_role=p.job_role,
                library=library_by_code.get(p.library_code),
                user=user_by_email.get(p.email),
            )
            for p in data.people
        )
        RoleGrant.objects.bulk_create(
            _grant(person, p, library_by_code, municipalities)
            for person, p in zip(people, data.people, strict=True)
            if p.role
        )
    return data


def _grant(person, p: DemoPerson, library_by_code, municipalities) -> RoleGrant:
    scope = ROLE_SCOPE[Role(p.role)]
    return RoleGrant(
        person=person,
        role=p.role,
        library=library_by_code[p.library_code] if scope == Scope.LIBRARY else None,
        municipality=municipalities[p.municipality_code] if scope == Scope.MUNICIPALITY else None,
    )


def _refuse_conflicts(data: DemoData) -> None:
    users = get_user_model().objects
    if Person.objects.filter(_demo_email()).exists() or users.filter(_demo_email()).exists():
        raise DemoError(
            f"People or logins under {DEMO_DOMAIN} exist already; "
            "run load_demo --reset to replace them."
        )
    codes = {lib.code for lib in data.libraries}
    names = {(lib.municipality_code, lib.name) for lib in data.libraries}
    for code, municipality, name in Library.objects.values_list(
        "code", "municipality__code", "name"
    ):
        if code in codes or (municipality, name) in names:
            raise DemoError(
                f"The library {name} ({code}) is in the way of the demo; the demo is meant for a "
                "database without libraries of its own."
            )
