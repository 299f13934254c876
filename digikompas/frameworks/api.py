"""Competence frameworks in the API: read what you may see, export files, and (analysts)
import files as new drafts. Editing happens in the web UI."""

from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from digikompas.orgs.access import actor_for
from digikompas.orgs.api import DATA_PERMISSIONS

from . import serializers, services
from .access import can_edit, visible_frameworks
from .content import FrameworkRejected
from .interchange import FORMATS, check_upload
from .models import Competency, Descriptor, Framework, TargetLevel, TargetProfile
from .views import export_response


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List the competence frameworks you may see"),
        description=gettext_lazy("Published versions for everyone; analysts also see drafts."),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Get a framework version with its scale, competencies and profiles")
    ),
)
class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Framework.objects.none()
    permission_classes = DATA_PERMISSIONS
    lookup_value_converter = "int"

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.FrameworkDetailSerializer
        return serializers.FrameworkSerializer

    def get_queryset(self):
        frameworks = visible_frameworks(actor_for(self.request.user)).annotate(
            competency_count=Count("competencies")
        )
        if self.action == "retrieve":
            frameworks = frameworks.prefetch_related(
                "levels",
                Prefetch(
                    "domains__competencies",
                    queryset=Competency.objects.order_by("position", "code").prefetch_related(
                        Prefetch("descriptors", queryset=Descriptor.objects.order_by("level"))
                    ),
                ),
                Prefetch(
                    "profiles",
                    queryset=TargetProfile.objects.prefetch_related(
                        Prefetch(
                            "targets", queryset=TargetLevel.objects.select_related("competency")
                        )
                    ),
                ),
            )
        # Ordered by key and version, so pages of the list are stable.
        return frameworks.order_by("key", "-version")

    def get_object(self):
        # Through the queryset of this action (prefetches), but with the 404 every other object
        # outside the caller's reach gets.
        framework = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if framework is None:
            raise Http404
        return framework

    @extend_schema(
        summary=gettext_lazy("Download a framework version as a file"),
        description=gettext_lazy(
            "`case`: a 1EdTech CASE 1.0 package (JSON); `csv` and `xlsx`: the table digikompas "
            "also imports."
        ),
        parameters=[
            OpenApiParameter("file_format", OpenApiTypes.STR, OpenApiParameter.PATH, enum=FORMATS)
        ],
        responses={
            # The media types export_framework gives (interchange.FORMATS), without parameters.
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, FORMATS["xlsx"][1]): OpenApiTypes.BINARY,
        },
    )
    @action(detail=True, methods=["get"], url_path="export/<str:file_format>")
    def export(self, request, pk=None, file_format=None):
        return export_response(request, pk, file_format)

    @extend_schema(
        summary=gettext_lazy("Import a framework file as a new draft (analysts)"),
        request={"multipart/form-data": serializers.FrameworkUploadSerializer},
        responses={
            201: serializers.ImportResultSerializer,
            400: OpenApiResponse(
                serializers.ImportRejectedSerializer,
                description=gettext_lazy("Every problem in the file; nothing was imported."),
            ),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[parsers.MultiPartParser],
    )
    def import_file(self, request):
        if not can_edit(actor_for(request.user)):
            raise PermissionDenied(_("Only analysts import frameworks."))
        upload = serializers.FrameworkUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            # Type and size by the upload's name and length, before it is read into memory.
            check_upload(filename=file.name, size=file.size)
            framework, notes = services.import_framework(raw=file.read(), filename=file.name)
        except FrameworkRejected as rejected:
            body = {
                "detail": _("Nothing was imported."),
                "problems": [vars(problem) for problem in rejected.problems],
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        framework.competency_count = framework.competencies.count()
        result = {"framework": framework, "notes": notes}
        return Response(
            serializers.ImportResultSerializer(result).data, status=status.HTTP_201_CREATED
        )


def register(router) -> None:
    router.register("frameworks", FrameworkViewSet, basename="framework")
