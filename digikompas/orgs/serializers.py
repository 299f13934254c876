"""How organisation facts and people look in the JSON API.

A reference to another unit is that unit's public code (a municipality's kommunekode, a library's
code), the key the imports and the other endpoints use, rather than a database id.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from digikompas.orgs.models import Library, Municipality, Person, Region, RoleGrant, Scope

# The largest id a database keeps (a signed 64-bit integer, as BigAutoField). Input ids are
# limited to it: a larger one names nothing, but SQLite cannot even compare it with a foreign key
# (OverflowError, a server error) where it should simply find no rows.
MAX_ID = 2**63 - 1


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class MunicipalitySerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    # Annotated by the view (MunicipalityViewSet.queryset), so listing costs no query per row.
    library_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Municipality
        fields = ["code", "name", "region", "region_name", "population", "library_count"]


class LibrarySerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Library
        fields = ["id", "code", "name", "kind", "municipality"]


class LibraryFilterSerializer(serializers.Serializer):
    """The query parameters of the library list; also documents them in the schema."""

    municipality = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_ID,
        help_text=_("Only the libraries of this municipality code."),
    )


class PersonSerializer(serializers.ModelSerializer):
    library = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    has_login = serializers.SerializerMethodField(
        help_text=_("Whether the person has a user account they can log in with.")
    )

    class Meta:
        model = Person
        fields = ["id", "name", "email", "library", "job_role", "has_login"]

    def get_has_login(self, person: Person) -> bool:
        # The id is on the row already; reading person.user would cost a query per person.
        return person.user_id is not None


class PersonFilterSerializer(serializers.Serializer):
    """The query parameters of the people list; also documents them in the schema."""

    library = serializers.CharField(
        required=False, help_text=_("Only the people of the library with this code.")
    )


class RoleGrantSerializer(serializers.ModelSerializer):
    scope = serializers.ChoiceField(choices=Scope.choices, read_only=True)
    library = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("The library a library leader leads; empty for other roles."),
    )
    municipality = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("The municipality a municipal leader leads; empty for other roles."),
    )

    class Meta:
        model = RoleGrant
        fields = ["role", "scope", "library", "municipality"]
