"""Reports in the API: ask for a report of a round, follow its build, download the file.

The same rules as the web pages (.report_services): analysts ask for any report, leaders for the
library reports of their own libraries; a report is built in the background, so a request
answers 202 with the report's status, and `download_url` appears once it is done.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.reverse import reverse

from digikompas.orgs.access import actor_for
from digikompas.orgs.api import DATA_PERMISSIONS
from digikompas.orgs.models import Library
from digikompas.orgs.serializers import MAX_ID
from digikompas.privacy import audit
from digikompas.surveys.serializers import DetailSerializer

from . import report_services
from .models import FileFormat, GroupBy, Report, ReportKind, ReportStep
from .reports import CONTENT_TYPES
from .views_reports import file_response


class ReportSerializer(serializers.ModelSerializer):
    # Declared: a read-only model field loses allow_blank, and the schema would then leave out
    # the empty value these two have (library reports have no grouping; a queued one no step).
    group_by = serializers.ChoiceField(
        choices=GroupBy.choices,
        allow_blank=True,
        read_only=True,
        help_text=gettext_lazy("National reports: the units of the heat map; empty otherwise."),
    )
    step = serializers.ChoiceField(
        choices=ReportStep.choices,
        allow_blank=True,
        read_only=True,
        help_text=gettext_lazy("Where a running build is; empty before it starts."),
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    step_label = serializers.CharField(source="get_step_display", read_only=True)
    download_url = serializers.SerializerMethodField(
        help_text=gettext_lazy("Where to download the file once the report is done; else null.")
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "round",
            "kind",
            "library",
            "group_by",
            "file_format",
            "language",
            "status",
            "status_label",
            "progress",
            "step",
            "step_label",
            "error",
            "filename",
            "size",
            "created_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, report: Report) -> str | None:
        if not report.is_done:
            return None
        return reverse("report-download", args=[report.pk], request=self.context.get("request"))


class ReportRequestSerializer(serializers.Serializer):
    round = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=gettext_lazy("The round's id.")
    )
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    library = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Library reports: the library's id."),
    )
    group_by = serializers.ChoiceField(
        choices=GroupBy.choices,
        required=False,
        default=GroupBy.MUNICIPALITY,
        help_text=gettext_lazy("National reports: the units of the heat map and detailed table."),
    )
    file_format = serializers.ChoiceField(choices=FileFormat.choices)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text=gettext_lazy("The report's language; by default the language of the request."),
    )

    def validate_library(self, value):
        if value is None:
            return None
        library = Library.objects.select_related("municipality").filter(pk=value).first()
        if library is None:
            raise serializers.ValidationError(
                _("There is no library with the id %(id)s.") % {"id": value}
            )
        return library

    def validate(self, data):
        if data["kind"] == ReportKind.LIBRARY and not data.get("library"):
            raise serializers.ValidationError(
                {"library": _("Choose the library the report is about.")}
            )
        return data


@extend_schema_view(
    retrieve=extend_schema(
        summary=gettext_lazy("Get a report's status and progress"),
        description=gettext_lazy(
            "`status` goes from `queued` through `running` (with `progress` 0–100 and `step`) "
            "to `done` (then `download_url` is set) or `failed` (then `error` says why)."
        ),
    ),
)
class ReportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Report.objects.none()
    serializer_class = ReportSerializer
    permission_classes = DATA_PERMISSIONS
    lookup_value_converter = "int"

    @property
    def actor(self):
        return actor_for(self.request.user)

    def get_object(self):
        report = report_services.get_report(self.actor, self.kwargs["pk"])
        self.check_object_permissions(self.request, report)
        return report

    @extend_schema(
        summary=gettext_lazy("Ask for a report of a round"),
        description=gettext_lazy(
            "Analysts ask for national (`kind: national`, grouped by `group_by`) and library "
            "reports; library and municipal leaders for library reports of their own libraries. "
            "The report is built in the background: follow it at its URL. No figure in a report "
            "describes fewer people than the anonymity minimum; in JSON a hidden figure is null "
            "with `suppressed: true`."
        ),
        request=ReportRequestSerializer,
        responses={
            202: ReportSerializer,
            400: OpenApiResponse(
                DetailSerializer,
                description=gettext_lazy("The request is incomplete, or the round has no answers."),
            ),
            404: OpenApiResponse(
                DetailSerializer,
                description=gettext_lazy("There is no such round, or it is not yours to see."),
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        actor = self.actor
        # Who may ask at all comes before what was asked, so outsiders learn nothing from it.
        report_services.require_report_reader(actor)
        incoming = ReportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            round = report_services.get_round_for_reports(actor, data["round"])
            report_services.require_may_request(
                actor, round=round, kind=data["kind"], library=data.get("library")
            )
        except DjangoPermissionDenied as denied:
            raise PermissionDenied(str(denied) or None) from None
        try:
            report = report_services.request_report(
                round=round,
                kind=data["kind"],
                library=data.get("library"),
                group_by=data["group_by"],
                file_format=data["file_format"],
                requested_by=actor.person,
                language=data.get("language") or get_language(),
            )
        except report_services.ReportError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        body = ReportSerializer(report, context={"request": request}).data
        location = reverse("report-detail", args=[report.pk], request=request)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    @extend_schema(
        summary=gettext_lazy("Download a finished report"),
        description=gettext_lazy("The PDF, XLSX or JSON file, as an attachment."),
        responses={
            (200, CONTENT_TYPES[FileFormat.PDF]): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES[FileFormat.XLSX]): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES[FileFormat.JSON]): OpenApiTypes.OBJECT,
            409: OpenApiResponse(
                DetailSerializer, description=gettext_lazy("The report is not done.")
            ),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        report = report_services.get_report(self.actor, pk, with_content=True)
        if not report.is_done:
            detail = _("The report is not ready yet (status: %(status)s).") % {
                "status": report.get_status_display()
            }
            return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)
        audit.record(request, audit.Action.EXPORTED_RESULTS, obj=report, detail=audit.API)
        return file_response(report)


def register(router) -> None:
    router.register("reports", ReportViewSet, basename="report")
