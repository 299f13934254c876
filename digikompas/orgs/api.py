"""Read-only API endpoints for regions, municipalities, libraries and people.

Organisation facts are visible to every authenticated user; people only within the caller's scope,
decided by digikompas.orgs.access like everywhere else.
"""

from allauth.mfa.utils import is_mfa_enabled
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.response import Response

from digikompas.orgs import serializers
from digikompas.orgs.access import actor_for, get_person, visible_people
from digikompas.orgs.models import Library, Municipality, Person, Region
from digikompas.privacy import audit


class HasRequiredSecondFactor(permissions.BasePermission):
    """Users whose roles need two-factor authentication use the API only once they have it.

    The web UI sends such users to set up a second factor (accounts.middleware), but that
    middleware leaves /api/ alone so that programs get JSON rather than a redirect; without this
    check a password-only session could read through the API what the web UI withholds.
    """

    message = _(
        "Your roles require two-factor authentication. "
        "Set it up in digikompas before you use the API."
    )
    code = "mfa_required"

    def has_permission(self, request, view):
        user = request.user
        if not user.is_authenticated or not actor_for(user).needs_mfa:
            return True
        return is_mfa_enabled(user)


# Every data endpoint: a known caller (401 otherwise, with WWW-Authenticate: Token), who has the
# second factor their roles need (403 otherwise).
DATA_PERMISSIONS = [permissions.IsAuthenticated, HasRequiredSecondFactor]


@extend_schema_view(
    list=extend_schema(summary=_("List the regions")),
    retrieve=extend_schema(summary=_("Get a region by its code")),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.order_by("code")
    serializer_class = serializers.RegionSerializer
    permission_classes = DATA_PERMISSIONS
    lookup_field = "code"
    lookup_value_converter = "int"


@extend_schema_view(
    list=extend_schema(summary=_("List the municipalities")),
    retrieve=extend_schema(summary=_("Get a municipality by its code")),
)
class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = (
        Municipality.objects.select_related("region")
        .annotate(library_count=Count("libraries"))
        .order_by("code")
    )
    serializer_class = serializers.MunicipalitySerializer
    permission_classes = DATA_PERMISSIONS
    lookup_field = "code"
    lookup_value_converter = "int"


@extend_schema_view(
    list=extend_schema(
        summary=_("List the libraries"), parameters=[serializers.LibraryFilterSerializer]
    ),
    retrieve=extend_schema(summary=_("Get a library")),
)
class LibraryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.LibrarySerializer
    permission_classes = DATA_PERMISSIONS
    lookup_value_converter = "int"

    def get_queryset(self):
        # Ordered by code so that pages of the list are stable.
        libraries = Library.objects.select_related("municipality").order_by("code")
        if self.action == "list":
            filters = serializers.LibraryFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            if "municipality" in filters.validated_data:
                libraries = libraries.filter(
                    municipality__code=filters.validated_data["municipality"]
                )
        return libraries


@extend_schema_view(
    list=extend_schema(
        summary=_("List the people you may see"),
        description=_(
            "Administrators see everyone, municipal leaders the people of their municipality's "
            "libraries, library leaders the people of their library, everyone else only "
            "themselves."
        ),
        parameters=[serializers.PersonFilterSerializer],
    ),
    retrieve=extend_schema(
        summary=_("Get a person"),
        description=_("Someone outside your scope is reported as not found."),
    ),
)
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    # Only tells the schema generator the model; the rows come from get_queryset.
    queryset = Person.objects.none()
    serializer_class = serializers.PersonSerializer
    permission_classes = DATA_PERMISSIONS
    lookup_value_converter = "int"

    def get_queryset(self):
        people = visible_people(actor_for(self.request.user)).select_related("library")
        filters = serializers.PersonFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        if "library" in filters.validated_data:
            people = people.filter(library__code=filters.validated_data["library"])
        # Person's ordering (name, e-mail) is unique, as e-mails are, so pages are stable.
        return people

    def get_object(self):
        return get_person(actor_for(self.request.user), self.kwargs["pk"])

    # Reading other people through the API is logged as the same pages are (privacy.audit).

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit.record_if_others(
            request,
            audit.Action.VIEWED_STAFF_LIST,
            [person["id"] for person in response.data["results"]],
            actor_for(request.user).person,
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        if person != actor_for(request.user).person:
            audit.record(request, audit.Action.VIEWED_PERSON, obj=person, detail=audit.API)
        return Response(self.get_serializer(person).data)


def register(router) -> None:
    router.register("regions", RegionViewSet, basename="region")
    router.register("municipalities", MunicipalityViewSet, basename="municipality")
    router.register("libraries", LibraryViewSet, basename="library")
    router.register("people", PersonViewSet, basename="person")
