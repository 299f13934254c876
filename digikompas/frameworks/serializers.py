"""How competence frameworks look in the JSON API: every text in both languages."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import models as m


@extend_schema_field(
    {
        "type": "object",
        "properties": {"da": {"type": "string"}, "en": {"type": "string"}},
        "required": ["da", "en"],
    }
)
class BilingualField(serializers.Field):
    """`<name>_da` and `<name>_en` of a model as {"da": …, "en": …}."""

    def __init__(self, name: str, **kwargs):
        self.text_name = name
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return {
            "da": getattr(value, f"{self.text_name}_da"),
            "en": getattr(value, f"{self.text_name}_en"),
        }


class LevelSerializer(serializers.ModelSerializer):
    label = BilingualField("label")
    description = BilingualField("description")

    class Meta:
        model = m.ProficiencyLevel
        fields = ["value", "label", "description"]


class DescriptorSerializer(serializers.ModelSerializer):
    text = BilingualField("text")

    class Meta:
        model = m.Descriptor
        fields = ["level", "text"]


class CompetencySerializer(serializers.ModelSerializer):
    title = BilingualField("title")
    description = BilingualField("description")
    keywords = serializers.SerializerMethodField()
    descriptors = DescriptorSerializer(many=True, read_only=True)

    class Meta:
        model = m.Competency
        fields = ["id", "identifier", "code", "title", "description", "keywords", "descriptors"]

    def get_keywords(self, competency) -> dict[str, list[str]]:
        return {"da": competency.keywords_da, "en": competency.keywords_en}


class DomainSerializer(serializers.ModelSerializer):
    title = BilingualField("title")
    description = BilingualField("description")
    competencies = CompetencySerializer(many=True, read_only=True)

    class Meta:
        model = m.Domain
        fields = ["identifier", "code", "title", "description", "competencies"]


class ProfileSerializer(serializers.ModelSerializer):
    note = BilingualField("note")
    levels = serializers.SerializerMethodField(help_text=_("Required level per competency code."))

    class Meta:
        model = m.TargetProfile
        fields = ["job_role", "library_kind", "note", "levels"]

    def get_levels(self, profile) -> dict[str, int]:
        return {t.competency.code: t.level for t in profile.targets.all()}


class FrameworkSerializer(serializers.ModelSerializer):
    title = BilingualField("title")
    competency_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = m.Framework
        fields = [
            "id",
            "identifier",
            "key",
            "version",
            "status",
            "title",
            "published_at",
            "competency_count",
        ]


class FrameworkDetailSerializer(FrameworkSerializer):
    description = BilingualField("description")
    levels = LevelSerializer(many=True, read_only=True)
    domains = DomainSerializer(many=True, read_only=True)
    profiles = ProfileSerializer(many=True, read_only=True)

    class Meta(FrameworkSerializer.Meta):
        fields = [
            *FrameworkSerializer.Meta.fields,
            "description",
            "levels",
            "domains",
            "profiles",
        ]


class FrameworkUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("A CASE package (.json), a CSV file or an Excel file.")
    )


class ProblemSerializer(serializers.Serializer):
    where = serializers.CharField()
    field = serializers.CharField()
    reason = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    framework = FrameworkSerializer()
    notes = serializers.ListField(child=serializers.CharField())


class ImportRejectedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    problems = ProblemSerializer(many=True)
