"""How surveys and rounds look in the JSON API. Units are named by their public codes (a
municipality's kommunekode, a library's code), as everywhere in the API."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from digikompas.frameworks.serializers import BilingualField
from digikompas.orgs.models import JobRole, Library, Municipality

from .forms_rounds import date_problems
from .models import Round, Survey
from .views_rounds import RoundStatus, status_of


class SurveySerializer(serializers.ModelSerializer):
    title = BilingualField("title")
    # Annotated by the view, so listing costs no query per survey.
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Survey
        fields = ["id", "key", "purpose", "title", "framework", "item_count"]


class CodeField(serializers.SlugRelatedField):
    """A municipality or library named by its code, with an error that names the code."""

    def __init__(self, *, unknown: str, **kwargs):
        self.unknown = unknown
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return self.get_queryset().get(**{self.slug_field: data})
        except (TypeError, ValueError, self.get_queryset().model.DoesNotExist):
            raise serializers.ValidationError(self.unknown % {"code": data}) from None


@extend_schema_field(serializers.ChoiceField(choices=RoundStatus.choices))
class RoundStatusField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, round):
        return str(status_of(round).value)


class RoundSerializer(serializers.ModelSerializer):
    """A round to read, and (analysts) the fields of a new one."""

    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.all())
    # Not `status`: frameworks have a status of other values, and two choice sets of one name
    # make the schema generator guess names (a warning).
    state = RoundStatusField(
        help_text=gettext_lazy("upcoming before it opens, open, closed once it has closed.")
    )
    job_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=JobRole.choices),
        required=False,
        help_text=gettext_lazy("The job roles asked; empty for all."),
    )
    municipalities = CodeField(
        many=True,
        required=False,
        slug_field="code",
        queryset=Municipality.objects.all(),
        unknown=gettext_lazy("No municipality has the code %(code)s."),
        help_text=gettext_lazy(
            "Municipality codes: the staff of all their libraries are asked. No municipality and "
            "no library: all of Denmark."
        ),
    )
    libraries = CodeField(
        many=True,
        required=False,
        slug_field="code",
        queryset=Library.objects.all(),
        unknown=gettext_lazy("No library has the code %(code)s."),
        help_text=gettext_lazy("Codes of libraries whose staff are asked as well."),
    )
    follows = serializers.PrimaryKeyRelatedField(
        queryset=Round.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("An earlier round of the same survey this one is the after of."),
    )

    class Meta:
        model = Round
        fields = [
            "id",
            "survey",
            "title",
            "opens_at",
            "closes_at",
            "state",
            "anonymity",
            "job_roles",
            "municipalities",
            "libraries",
            "follows",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def validate(self, data):
        problems = date_problems(data.get("opens_at"), data.get("closes_at"))
        follows = data.get("follows")
        if follows is not None and follows.survey_id != data["survey"].pk:
            problems["follows"] = _("A round can only follow an earlier round of the same survey.")
        if problems:
            raise serializers.ValidationError(problems)
        return data


# -- counts ---------------------------------------------------------------------------------------


class UnitCountSerializer(serializers.Serializer):
    """One unit's counts, or only that it has too few people invited to show any."""

    invited = serializers.IntegerField(required=False)
    answered = serializers.IntegerField(required=False)
    suppressed = serializers.BooleanField(
        required=False,
        help_text=gettext_lazy("Present, and true, instead of the counts below the minimum."),
    )

    def to_representation(self, rate):
        key = self.unit_key
        code = rate.unit.code if rate.unit is not None else None
        if not rate.shown:
            return {key: code, "suppressed": True}
        return {key: code, "invited": rate.invited, "answered": rate.answered}


class MunicipalityCountSerializer(UnitCountSerializer):
    unit_key = "municipality"
    municipality = serializers.IntegerField(allow_null=True)


class LibraryCountSerializer(UnitCountSerializer):
    unit_key = "library"
    library = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("Empty for people who no longer have a library.")
    )


class RoundCountsSerializer(serializers.Serializer):
    """A round's progress as the caller may see it (access.Progress of both groupings)."""

    round = serializers.IntegerField()
    anonymity_minimum = serializers.IntegerField(
        help_text=gettext_lazy("Groups with fewer people invited show no counts.")
    )
    suppressed = serializers.BooleanField(
        help_text=gettext_lazy("True when the caller's whole scope has too few people invited.")
    )
    invited = serializers.IntegerField(allow_null=True)
    sent = serializers.IntegerField(allow_null=True)
    answered = serializers.IntegerField(allow_null=True)
    response_rate = serializers.FloatField(
        allow_null=True, help_text=gettext_lazy("Answered per invited, in per cent.")
    )
    municipalities = MunicipalityCountSerializer(
        many=True,
        help_text=gettext_lazy(
            "Analysts: every municipality. Municipal leaders: the municipalities they lead. "
            "Library leaders: none."
        ),
    )
    libraries = LibraryCountSerializer(
        many=True,
        help_text=gettext_lazy("Analysts: every library. Leaders: the libraries they lead."),
    )

    def to_representation(self, counts):
        total = counts["total"]
        # Zero invited is not a small group: there is nothing to hide.
        shown = total.shown or not total.invited
        return {
            "round": counts["round"].pk,
            "anonymity_minimum": settings.ANONYMITY_MINIMUM,
            "suppressed": not shown,
            "invited": total.invited if shown else None,
            "sent": counts["sent"] if shown else None,
            "answered": total.answered if shown else None,
            "response_rate": round(total.percent, 1) if shown and total.invited else None,
            "municipalities": MunicipalityCountSerializer(counts["municipalities"], many=True).data,
            "libraries": LibraryCountSerializer(counts["libraries"], many=True).data,
        }


class InvitedSerializer(serializers.Serializer):
    invited = serializers.IntegerField(
        help_text=gettext_lazy("How many people were invited now; the e-mails go out shortly.")
    )
    detail = serializers.CharField()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
