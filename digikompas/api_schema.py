"""The OpenAPI schema of the API (digikompas.api): drf-spectacular's, with the error answers.

Settings name AutoSchema as DRF's DEFAULT_SCHEMA_CLASS. It lives apart from digikompas.api, which
imports every app's viewsets: decorating a viewset reads its schema class, so that module could
not be imported while it is being defined.
"""

from django.utils.translation import gettext_lazy
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

# Query parameters a list accepts whatever their value (a bad one falls back to the default page).
_PAGINATION = {"limit", "offset"}

# How DRF reports invalid input: each field's messages (an object for a nested field, keyed by
# position for a list), messages about the whole request under `non_field_errors`, or one
# `detail` for a request it could not read at all.
_VALIDATION_ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]
    },
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the error answers every operation can give.

    The viewsets declare their own answers (and errors particular to them, such as a closed
    round's 400); the errors common to all come from here, from what the operation is: one that
    needs a login answers 401 without a valid key and 403 for a role that may not; one with a path
    parameter answers 404 for an object that does not exist or is not the caller's to see; one
    that reads a body or filters answers 400 with the errors per field.
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        if "requestBody" in operation or any(
            p["in"] == "query" and p["name"] not in _PAGINATION for p in parameters
        ):
            self._add_validation_error(responses)
        if "requestBody" in operation:
            self._add_error(
                responses, "415", gettext_lazy("The body is not in a media type listed above.")
            )
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            self._add_error(
                responses, "401", gettext_lazy("No API key was given, or the key is not valid.")
            )
            self._add_error(
                responses,
                "403",
                gettext_lazy(
                    "Your roles do not allow this, or they need two-factor authentication you "
                    "have not set up."
                ),
            )
        if any(p["in"] == "path" for p in parameters):
            self._add_error(
                responses,
                "404",
                gettext_lazy("There is no such object, or it is not yours to see."),
            )
        return operation

    def _add_error(self, responses, code, description):
        if code not in responses:
            # Imported here: the serializers module imports viewsets, which need this module.
            from digikompas.surveys.serializers import DetailSerializer

            detail = self.resolve_serializer(DetailSerializer, "response").ref
            responses[code] = {
                "description": description,
                "content": {"application/json": {"schema": detail}},
            }

    def _add_validation_error(self, responses):
        component = ResolvedComponent(
            name="ValidationError",
            type=ResolvedComponent.SCHEMA,
            object="ValidationError",
            schema=_VALIDATION_ERROR,
        )
        self.registry.register_on_missing(component)
        if "400" not in responses:
            responses["400"] = {
                "description": gettext_lazy("The request is not valid: what is wrong, per field."),
                "content": {"application/json": {"schema": component.ref}},
            }
            return
        # The operation's own 400 (e.g. a closed round) or, before it is reached, invalid input.
        for content in responses["400"].get("content", {}).values():
            content["schema"] = {"anyOf": [content["schema"], component.ref]}
