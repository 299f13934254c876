"""The pilot education in the API: the programmes with their modules and the sessions with their
free seats (for everyone logged in), enrolling and cancelling (the same rules and service as the
web pages: pilot.access and pilot.enrolment), the idea bank, and a programme's effect for
coordinators and analysts (the same JSON as the effect's download)."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from digikompas.orgs.access import actor_for
from digikompas.orgs.api import DATA_PERMISSIONS
from digikompas.privacy import audit
from digikompas.surveys.serializers import DetailSerializer

from . import access, serializers
from . import enrolment as service
from .effect import programme_effect
from .effect_export import as_json
from .enrolment import ACTIVE, EnrolmentError
from .models import Enrolment, EnrolmentStatus, ExperienceLog, Programme, Session


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the pilot programmes with their modules")),
    retrieve=extend_schema(summary=gettext_lazy("Get a pilot programme with its modules")),
)
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ProgrammeSerializer
    permission_classes = DATA_PERMISSIONS
    lookup_value_converter = "int"
    # Programme's ordering (starts, key) is unique, as keys are, so pages are stable.
    queryset = Programme.objects.prefetch_related("modules__competencies")

    def get_object(self):
        programme = access.get_programme(actor_for(self.request.user), self.kwargs["pk"])
        self.check_object_permissions(self.request, programme)
        return programme

    @extend_schema(
        summary=gettext_lazy("The programme's effect (coordinators and analysts)"),
        description=gettext_lazy(
            "How the competence levels changed between the round before and the round after, "
            "for participants and non-participants, and the difference: the same JSON as the "
            "effect page's download (`schema: digikompas.pilot-effect/1`). No figure describes "
            "fewer people than the anonymity minimum: a hidden figure is null, with its "
            "`status` and a `note` saying why."
        ),
        responses={
            200: OpenApiTypes.OBJECT,
            403: OpenApiResponse(
                DetailSerializer,
                description=gettext_lazy("Only coordinators and analysts read the effect."),
            ),
        },
    )
    @action(detail=True, methods=["get"])
    def effect(self, request, pk=None):
        actor = actor_for(request.user)
        if not access.reads_effect(actor):
            raise PermissionDenied(_("Only education coordinators and analysts read the effect."))
        programme = access.get_programme(actor, pk)
        body = as_json(programme_effect(programme))
        audit.record(request, audit.Action.VIEWED_RESULTS, obj=programme, detail=audit.API)
        return Response(body)


def _with_seats(sessions):
    """Sessions with their seats taken and waiting counted in the same query."""
    return sessions.annotate(
        taken=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED)),
    )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List the sessions with their free seats"),
        parameters=[serializers.SessionFilterSerializer],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Get a session with its free seats")),
)
class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Session.objects.none()
    serializer_class = serializers.SessionSerializer
    permission_classes = DATA_PERMISSIONS
    lookup_value_converter = "int"

    def get_queryset(self):
        # Ordered by start and id, so pages of the list are stable.
        sessions = _with_seats(
            Session.objects.select_related("module", "facilitator").order_by("starts_at", "pk")
        )
        if self.action == "list":
            filters = serializers.SessionFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            data = filters.validated_data
            if "programme" in data:
                sessions = sessions.filter(module__programme_id=data["programme"])
            if "module" in data:
                sessions = sessions.filter(module_id=data["module"])
            if data["upcoming"]:
                sessions = sessions.filter(starts_at__gt=timezone.now())
        return sessions

    def get_object(self):
        session = access.get_session(actor_for(self.request.user), self.kwargs["pk"])
        seats = service.seats(session)
        session.taken, session.waiting = seats.taken, seats.waiting
        self.check_object_permissions(self.request, session)
        return session


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List the enrolments you may see"),
        description=gettext_lazy(
            "Your own; leaders also their staff's; facilitators the enrolments of their "
            "sessions; coordinators every enrolment."
        ),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Get an enrolment"),
        description=gettext_lazy("An enrolment you may not see is reported as not found."),
    ),
)
class EnrolmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Enrolment.objects.none()
    serializer_class = serializers.EnrolmentSerializer
    permission_classes = DATA_PERMISSIONS
    lookup_value_converter = "int"

    @property
    def actor(self):
        return actor_for(self.request.user)

    def get_queryset(self):
        # Ordered by the session's start, then by when the place was taken; pk makes it unique.
        return (
            access.visible_enrolments(self.actor)
            .select_related("session__module", "person")
            .order_by("session__starts_at", "created_at", "pk")
        )

    def get_object(self):
        enrolment = access.get_enrolment(self.actor, self.kwargs["pk"])
        self.check_object_permissions(self.request, enrolment)
        return enrolment

    # Other people's places, read through the API, are logged as the participants page is.

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit.record_if_others(
            request,
            audit.Action.VIEWED_PARTICIPANTS,
            [enrolment["person"] for enrolment in response.data["results"]],
            self.actor.person,
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        enrolment = self.get_object()
        if enrolment.person != self.actor.person:
            audit.record(
                request, audit.Action.VIEWED_PARTICIPANTS, obj=enrolment.session, detail=audit.API
            )
        return Response(self.get_serializer(enrolment).data)

    @extend_schema(
        summary=gettext_lazy("Enrol in a session"),
        description=gettext_lazy(
            "Gives a seat, or a place on the waiting list when the session is full (`place`). "
            "Safe to repeat: enrolling someone who already has a place answers 200 with it. "
            "Refused with 400 when the session has started or the person already has a place "
            "in another session of the module."
        ),
        request=serializers.EnrolRequestSerializer,
        responses={
            201: serializers.EnrolmentSerializer,
            200: serializers.EnrolmentSerializer,
            400: OpenApiResponse(
                DetailSerializer,
                description=gettext_lazy("The session is unknown, or the enrolment is refused."),
            ),
            403: OpenApiResponse(
                DetailSerializer,
                description=gettext_lazy("You may not enrol this person."),
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        actor = self.actor
        incoming = serializers.EnrolRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if "person" in data:
            # Unknown and out-of-scope people are refused alike, so no id is confirmed.
            person = access.enrollable_people(actor).filter(pk=data["person"]).first()
            if person is None:
                raise PermissionDenied(
                    _(
                        "You may not enrol this person: you enrol yourself, leaders the staff "
                        "of the libraries they lead."
                    )
                )
        elif actor.person is None:
            raise PermissionDenied(_("Your login has no person to enrol."))
        else:
            person = actor.person
        session = data["session"]
        had_place = Enrolment.objects.filter(
            session=session, person=person, status__in=ACTIVE
        ).exists()
        try:
            enrolment = service.enrol(session, person, by=actor.person)
        except EnrolmentError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        body = self.get_serializer(enrolment).data
        return Response(body, status=status.HTTP_200_OK if had_place else status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Cancel a place"),
        description=gettext_lazy(
            "Gives up the seat or the place on the waiting list; the first on the waiting list "
            "gets the seat. Safe to repeat. A seat in a session that has started cannot be "
            "cancelled (400)."
        ),
        request=None,
        responses={
            200: serializers.EnrolmentSerializer,
            400: OpenApiResponse(
                DetailSerializer, description=gettext_lazy("The session has started.")
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        actor = self.actor
        enrolment = access.get_enrolment(actor, pk)
        try:
            service.cancel(enrolment, by=actor.person)
        except EnrolmentError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(access.get_enrolment(actor, pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("The idea bank: what participants tried in their libraries"),
        description=gettext_lazy("Each experience names its library, never the person."),
        parameters=[serializers.ExperienceFilterSerializer],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Get an experience from the idea bank")),
)
class ExperienceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ExperienceLog.objects.none()
    serializer_class = serializers.ExperienceSerializer
    permission_classes = DATA_PERMISSIONS
    lookup_value_converter = "int"

    def get_queryset(self):
        # Newest first; pk makes the order unique, so pages are stable.
        experiences = ExperienceLog.objects.select_related(
            "module", "library__municipality"
        ).order_by("-created_at", "-pk")
        if self.action == "list":
            filters = serializers.ExperienceFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            data = filters.validated_data
            if "programme" in data:
                experiences = experiences.filter(module__programme_id=data["programme"])
            if "module" in data:
                experiences = experiences.filter(module_id=data["module"])
            if "target_group" in data:
                experiences = experiences.filter(target_group=data["target_group"])
        return experiences


def register(router) -> None:
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("sessions", SessionViewSet, basename="session")
    router.register("enrolments", EnrolmentViewSet, basename="enrolment")
    router.register("experiences", ExperienceViewSet, basename="experience")
