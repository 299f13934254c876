"""The API endpoint that tells a program whose key it holds: `me/`."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from digikompas.orgs.access import STAFF, actor_for
from digikompas.orgs.api import DATA_PERMISSIONS
from digikompas.orgs.models import Role
from digikompas.orgs.serializers import PersonSerializer, RoleGrantSerializer


# One object, although served by a viewset's list action: many=False keeps the schema from
# describing it as a list.
@extend_schema_serializer(many=False)
class MeSerializer(serializers.Serializer):
    email = serializers.EmailField(read_only=True)
    person = PersonSerializer(
        read_only=True,
        allow_null=True,
        help_text=_("The person behind the login; empty for a login without one."),
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[(STAFF, _("Staff")), *Role.choices]),
        read_only=True,
        help_text=_("Sorted; staff is implied by working at a library, the others are granted."),
    )
    grants = RoleGrantSerializer(many=True, read_only=True)


class MeViewSet(viewsets.GenericViewSet):
    serializer_class = MeSerializer
    permission_classes = DATA_PERMISSIONS
    pagination_class = None

    @extend_schema(summary=_("Who you are: your person, roles and grants"))
    def list(self, request):
        actor = actor_for(request.user)
        me = {
            "email": request.user.email,
            "person": actor.person,
            "roles": sorted(actor.roles),
            "grants": actor.grants,
        }
        return Response(self.get_serializer(me).data)


def register(router) -> None:
    router.register("me", MeViewSet, basename="me")
