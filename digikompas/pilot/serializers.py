"""How the pilot education looks in the JSON API: programmes with their modules, sessions with
their free seats, enrolments, and the idea bank (experiences name the library, never the
person)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from digikompas.frameworks.serializers import BilingualField
from digikompas.orgs.models import JobRole, UserGroup
from digikompas.orgs.serializers import MAX_ID

from .models import (
    Enrolment,
    EnrolmentStatus,
    ExperienceLog,
    Module,
    Programme,
    Session,
)


# The schema names an enum after its field, and one choice set under two names (`target_group`
# of experiences, `target_groups` of modules) is a warning; so the modules' list is described as
# strings of the same values. (An ENUM_NAME_OVERRIDES entry for UserGroup would make it an enum.)
@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string"},
        "description": "Whom the participants' dissemination is for: values of target_group "
        "(" + ", ".join(UserGroup.values) + ").",
    }
)
class UserGroupsField(serializers.ListField):
    child = serializers.ChoiceField(choices=UserGroup.choices)


class ModuleTitleField(BilingualField):
    """The title of the object's module, in both languages."""

    def __init__(self, **kwargs):
        super().__init__("title", **kwargs)

    def to_representation(self, value):
        return super().to_representation(value.module)


class ModuleSerializer(serializers.ModelSerializer):
    title = BilingualField("title")
    description = BilingualField("description")
    competencies = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("Codes of the competencies of the programme's framework the module builds."),
    )
    target_groups = UserGroupsField(read_only=True)

    class Meta:
        model = Module
        fields = [
            "id",
            "position",
            "format",
            "title",
            "description",
            "hours",
            "competencies",
            "target_groups",
        ]


class ProgrammeSerializer(serializers.ModelSerializer):
    title = BilingualField("title")
    description = BilingualField("description")
    target_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=JobRole.choices),
        read_only=True,
        help_text=_("The job roles the programme is for; empty for all."),
    )
    modules = ModuleSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "key",
            "title",
            "description",
            "framework",
            "starts_on",
            "ends_on",
            "target_roles",
            "is_example",
            "modules",
        ]


class SessionSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="module.programme_id", read_only=True)
    module_title = ModuleTitleField()
    facilitator = serializers.CharField(
        source="facilitator.name", read_only=True, allow_null=True, default=None
    )
    is_online = serializers.BooleanField(read_only=True)
    # Annotated by the view, so listing costs no query per session.
    seats_taken = serializers.IntegerField(source="taken", read_only=True)
    waiting = serializers.IntegerField(read_only=True, help_text=_("People on the waiting list."))
    free_seats = serializers.SerializerMethodField(
        help_text=_("Seats not taken; 0 when the session is full (then enrolling puts you on "
                    "the waiting list).")
    )  # fmt: skip

    class Meta:
        model = Session
        fields = [
            "id",
            "module",
            "module_title",
            "programme",
            "starts_at",
            "ends_at",
            "place",
            "is_online",
            "facilitator",
            "capacity",
            "seats_taken",
            "waiting",
            "free_seats",
        ]

    def get_free_seats(self, session: Session) -> int:
        return max(session.capacity - session.taken, 0)


class SessionFilterSerializer(serializers.Serializer):
    """The query parameters of the session list; also documents them in the schema."""

    programme = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Only the sessions of this programme (id)."),
    )
    module = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Only the sessions of this module (id)."),
    )
    upcoming = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Only sessions that have not started yet."),
    )


class EnrolmentSerializer(serializers.ModelSerializer):
    module = serializers.IntegerField(source="session.module_id", read_only=True)
    programme = serializers.IntegerField(source="session.module.programme_id", read_only=True)
    starts_at = serializers.DateTimeField(source="session.starts_at", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    # Not `status`: frameworks and reports have a status of other values, and choice sets of
    # one name make the schema generator guess names.
    place = serializers.ChoiceField(
        source="status",
        choices=EnrolmentStatus.choices,
        read_only=True,
        help_text=_("enrolled (a seat), waitlisted (on the waiting list) or cancelled."),
    )
    meeting_url = serializers.SerializerMethodField(
        help_text=_("The online meeting link, for people with a seat in an online session.")
    )

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "session",
            "module",
            "programme",
            "starts_at",
            "person",
            "person_name",
            "place",
            "created_at",
            "waitlisted_at",
            "promoted_at",
            "cancelled_at",
            "attended",
            "meeting_url",
        ]
        read_only_fields = fields

    def get_meeting_url(self, enrolment: Enrolment) -> str | None:
        if enrolment.status != EnrolmentStatus.ENROLLED or not enrolment.session.meeting_url:
            return None
        return enrolment.session.meeting_url


class EnrolRequestSerializer(serializers.Serializer):
    session = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=_("The session's id.")
    )
    person = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text=_(
            "Whom to enrol (a person's id); yourself when left out. Leaders enrol the staff of "
            "the libraries they lead, coordinators anyone."
        ),
    )

    def validate_session(self, value):
        session = Session.objects.select_related("module").filter(pk=value).first()
        if session is None:
            raise serializers.ValidationError(
                _("There is no session with the id %(id)s.") % {"id": value}
            )
        return session


class ExperienceSerializer(serializers.ModelSerializer):
    """An experience in the idea bank: the library it comes from, never the person."""

    programme = serializers.IntegerField(source="module.programme_id", read_only=True)
    module_title = ModuleTitleField()
    library = serializers.CharField(
        source="library.name", read_only=True, allow_null=True, default=None
    )
    municipality = serializers.CharField(
        source="library.municipality.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ExperienceLog
        fields = [
            "id",
            "module",
            "module_title",
            "programme",
            "library",
            "municipality",
            "resource",
            "target_group",
            "title",
            "what_tried",
            "what_happened",
            "lesson",
            "would_repeat",
            "tried_on",
            "created_at",
        ]


class ExperienceFilterSerializer(serializers.Serializer):
    """The query parameters of the idea bank; also documents them in the schema."""

    programme = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Only experiences from this programme (id)."),
    )
    module = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Only experiences from this module (id)."),
    )
    target_group = serializers.ChoiceField(
        choices=UserGroup.choices,
        required=False,
        help_text=_("Only experiences with this target group."),
    )
