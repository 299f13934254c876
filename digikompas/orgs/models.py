from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Region(models.Model):
    """One of the five Danish regions (shipped reference data)."""

    # DAGI/DAWA region code, 1081–1085.
    code = models.PositiveSmallIntegerField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class Municipality(models.Model):
    """One of the 98 municipalities (shipped reference data, see orgs/data/SOURCES.md)."""

    # Statistics Denmark's three-digit municipality code (kommunekode), e.g. 101 for København.
    code = models.PositiveSmallIntegerField(_("municipality code"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("region")
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name

    @property
    def code_padded(self) -> str:
        """The four-digit form the address register (DAWA) uses, e.g. 0101."""
        return f"{self.code:04d}"


class LibraryKind(models.TextChoices):
    MAIN = "main", _("Main library")
    BRANCH = "branch", _("Branch")
    COMBINED = "combined", _("Library and citizen service")
    MOBILE = "mobile", _("Mobile library")


class Library(models.Model):
    """A library (main library or branch) of a municipality's library service."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="libraries",
        verbose_name=_("municipality"),
    )
    # A stable key for imports: the library service's agency number (7 + municipality code + 00)
    # followed by a branch number, e.g. 710100-01.
    code = models.CharField(_("library code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=LibraryKind.choices, default=LibraryKind.BRANCH
    )

    class Meta:
        ordering = ["municipality__name", "name"]
        verbose_name = _("library")
        verbose_name_plural = _("libraries")
        constraints = [
            models.UniqueConstraint(
                "municipality", "name", name="library_name_unique_in_municipality"
            ),
        ]

    def __str__(self):
        return self.name


class UserGroup(models.TextChoices):
    """A target group of library users (målgruppe): whom a dissemination activity, a pilot
    module or a digital resource is for."""

    CHILDREN_0_8 = "children_0_8", _("Children 0–8")
    CHILDREN_9_12 = "children_9_12", _("Children 9–12")
    YOUNG_13_18 = "young_13_18", _("Young people 13–18")
    STUDENTS = "students", _("Upper-secondary pupils and students")
    LEISURE_READERS = "leisure_readers", _("Adult leisure readers")
    SENIORS = "seniors", _("Seniors")
    GENEALOGISTS = "genealogists", _("Genealogists and local historians")
    NEW_DANES = "new_danes", _("New Danes and language learners")
    JOB_SEEKERS = "job_seekers", _("Business and job seekers")
    TEACHERS = "teachers", _("Teachers and educators")


class JobRole(models.TextChoices):
    """What a person does in the library; the grouping key of the analyses."""

    LIBRARIAN = "librarian", _("Librarian")
    LIBRARY_ASSISTANT = "library_assistant", _("Library assistant")
    COMMUNICATOR = "communicator", _("Communicator or other academic")
    DIGITAL_GUIDE = "digital_guide", _("Digital guide")
    STUDENT_ASSISTANT = "student_assistant", _("Student assistant")
    LIBRARY_LEADER = "library_leader", _("Library leader")
    HEAD_OF_LIBRARIES = "head_of_libraries", _("Head of libraries")
    OTHER = "other", pgettext_lazy("job role", "Other")


class Person(models.Model):
    """Someone who works in or for the libraries, with or without a login."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    library = models.ForeignKey(
        Library,
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
        verbose_name=_("library"),
        help_text=_("Empty for people who work for a municipality or nationally."),
    )
    job_role = models.CharField(
        _("job role"), max_length=30, choices=JobRole.choices, default=JobRole.LIBRARIAN
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("user account"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "email"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            # Imports match people by e-mail, so one address is one person.
            models.UniqueConstraint(Lower("email"), name="person_email_ci_unique"),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    """Roles that are granted explicitly. Being staff follows from working at a library."""

    LIBRARY_LEADER = "library_leader", _("Library leader")
    MUNICIPAL_LEADER = "municipal_leader", _("Municipal leader")
    ANALYST = "analyst", _("Analyst")
    EDUCATION_COORDINATOR = "education_coordinator", _("Education coordinator")
    EDUCATION_PROVIDER = "education_provider", _("Education provider")
    ADMINISTRATOR = "administrator", _("Administrator")


class Scope(models.TextChoices):
    LIBRARY = "library", _("Library")
    MUNICIPALITY = "municipality", _("Municipality")
    NATION = "nation", _("Nation")


# The one scope each granted role has.
ROLE_SCOPE = {
    Role.LIBRARY_LEADER: Scope.LIBRARY,
    Role.MUNICIPAL_LEADER: Scope.MUNICIPALITY,
    Role.ANALYST: Scope.NATION,
    Role.EDUCATION_COORDINATOR: Scope.NATION,
    Role.EDUCATION_PROVIDER: Scope.NATION,
    Role.ADMINISTRATOR: Scope.NATION,
}


def _scope_condition():
    """A CheckConstraint condition: each role points at exactly the unit its scope needs."""
    library = Q(library__isnull=False, municipality__isnull=True)
    municipality = Q(library__isnull=True, municipality__isnull=False)
    nation = Q(library__isnull=True, municipality__isnull=True)
    condition = Q()
    by_scope = {Scope.LIBRARY: library, Scope.MUNICIPALITY: municipality, Scope.NATION: nation}
    for role, scope in ROLE_SCOPE.items():
        condition |= Q(role=role) & by_scope[scope]
    return condition


class RoleGrant(models.Model):
    """A role a person holds over an organisation unit (a library, a municipality, the nation)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="grants", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    library = models.ForeignKey(
        Library,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("library"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("municipality"),
    )

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.CheckConstraint(
                condition=_scope_condition(), name="rolegrant_scope_matches_role"
            ),
            # One grant per person, role and unit; three partial constraints because a NULL
            # scope column would otherwise never collide (nulls_distinct needs PostgreSQL 15).
            models.UniqueConstraint(
                "person",
                "role",
                "library",
                condition=Q(library__isnull=False),
                name="rolegrant_unique_library",
            ),
            models.UniqueConstraint(
                "person",
                "role",
                "municipality",
                condition=Q(municipality__isnull=False),
                name="rolegrant_unique_municipality",
            ),
            models.UniqueConstraint(
                "person",
                "role",
                condition=Q(library__isnull=True, municipality__isnull=True),
                name="rolegrant_unique_nation",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.unit_name}"

    @property
    def scope(self) -> Scope:
        return ROLE_SCOPE[Role(self.role)]

    @property
    def unit_name(self) -> str:
        if self.library_id:
            return self.library.name
        if self.municipality_id:
            return self.municipality.name
        return str(_("Denmark"))

    def clean(self):
        from django.core.exceptions import ValidationError

        scope = ROLE_SCOPE.get(self.role)
        if scope == Scope.LIBRARY and (not self.library_id or self.municipality_id):
            raise ValidationError({"library": _("A library leader is granted for one library.")})
        if scope == Scope.MUNICIPALITY and (not self.municipality_id or self.library_id):
            raise ValidationError(
                {"municipality": _("A municipal leader is granted for one municipality.")}
            )
        if scope == Scope.NATION and (self.library_id or self.municipality_id):
            raise ValidationError(
                _("This role covers the whole nation; choose no library or municipality.")
            )
