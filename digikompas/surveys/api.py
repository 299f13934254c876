"""Surveys and rounds in the API: analysts list the surveys, create rounds and send the
invitations; analysts and leaders follow a round's counts, leaders for their own units only.
Who may see what is decided in .access, as for the web pages."""

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from digikompas.orgs.access import actor_for
from digikompas.orgs.api import DATA_PERMISSIONS

from . import access, serializers, services
from .models import Round, Survey
from .views_rounds import invited_message


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the surveys (analysts)")),
    retrieve=extend_schema(summary=gettext_lazy("Get a survey (analysts)")),
)
class SurveyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Survey.objects.none()
    serializer_class = serializers.SurveySerializer
    permission_classes = DATA_PERMISSIONS
    lookup_value_converter = "int"

    def get_queryset(self):
        if not access.runs_rounds(actor_for(self.request.user)):
            raise PermissionDenied(_("Only analysts see the surveys."))
        # Ordered by key, which is unique, so pages of the list are stable.
        return Survey.objects.annotate(item_count=Count("items")).order_by("key")


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List the rounds you may see"),
        description=gettext_lazy(
            "Analysts see every round; library and municipal leaders the rounds that include "
            "their units."
        ),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Get a round"),
        description=gettext_lazy("A round that does not include your units is not found."),
    ),
    create=extend_schema(
        summary=gettext_lazy("Create a round (analysts)"),
        description=gettext_lazy(
            "Nobody is invited yet: check the population with the counts, then invite."
        ),
    ),
)
class RoundViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Round.objects.none()
    serializer_class = serializers.RoundSerializer
    permission_classes = DATA_PERMISSIONS
    lookup_value_converter = "int"

    @property
    def actor(self):
        return actor_for(self.request.user)

    def get_queryset(self):
        # Ordered by opening and id, so pages of the list are stable.
        return (
            access.visible_rounds(self.actor)
            .prefetch_related("municipalities", "libraries")
            .order_by("-opens_at", "pk")
        )

    def get_object(self):
        round = access.get_round(self.actor, self.kwargs["pk"])
        self.check_object_permissions(self.request, round)
        return round

    def create(self, request, *args, **kwargs):
        if not access.runs_rounds(self.actor):
            raise PermissionDenied(_("Only analysts create rounds."))
        new = self.get_serializer(data=request.data)
        new.is_valid(raise_exception=True)
        try:
            round = services.create_round(**new.validated_data, created_by=self.actor.person)
        except services.SurveyError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(round).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("How many were invited and have answered"),
        description=gettext_lazy(
            "Counts, never names. A group with fewer people invited than the anonymity minimum "
            "shows `suppressed` instead of its counts. Leaders see only their own units."
        ),
        responses=serializers.RoundCountsSerializer,
    )
    @action(detail=True, methods=["get"])
    def counts(self, request, pk=None):
        actor = self.actor
        round = access.get_round(actor, pk)
        total, sent = access.totals(actor, round)
        municipalities = []
        if access.BY_MUNICIPALITY in access.groupings(actor):
            municipalities = access.rates(actor, round, by=access.BY_MUNICIPALITY)
        counts = {
            "round": round,
            "total": total,
            "sent": sent,
            "municipalities": municipalities,
            "libraries": access.rates(actor, round, by=access.BY_LIBRARY),
        }
        return Response(serializers.RoundCountsSerializer(counts).data)

    @extend_schema(
        summary=gettext_lazy("Invite the people of the population not invited yet (analysts)"),
        description=gettext_lazy(
            "Safe to repeat: only people without an invitation are invited. The e-mails are sent "
            "in the background."
        ),
        request=None,
        responses={
            202: serializers.InvitedSerializer,
            400: OpenApiResponse(
                serializers.DetailSerializer, description=gettext_lazy("The round is closed.")
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        round = access.get_round_to_run(self.actor, pk)
        try:
            invited = services.invite(round=round)
        except services.RoundClosed as closed:
            return Response({"detail": str(closed)}, status=status.HTTP_400_BAD_REQUEST)
        body = {
            "invited": invited,
            "detail": invited_message(invited),
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)


def register(router) -> None:
    router.register("surveys", SurveyViewSet, basename="survey")
    router.register("rounds", RoundViewSet, basename="round")
