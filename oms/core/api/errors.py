"""The one exception handler of the API. Every error has a 4xx status and one shape
(a 5xx is a bug), documented once as the schema's `Error` component:

    {"error": "<code>", "detail": "<in words>",
     "errors": [{"field": "lines.0.quantity", "detail": "…"}, {"index": 3, "field": "sku", "detail": "…"}]}

`errors` lists the problems per item, when there are any: `field` is the dotted path
of an input field; `line` (a line of the request's `lines`) or `index` (a row of a
feed's `items`) names the item, with `field` then the field within it. Only
`insufficient_stock` adds a key, `lines` (SPEC §5). A domain error's other data
(`payload()`) is for the screens, not the API."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from oms.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied

# The status of each family of domain errors; the first match wins.
DOMAIN_STATUS: list[tuple[type[DomainError], int]] = [
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Conflict, status.HTTP_409_CONFLICT),
    (InvalidInput, status.HTTP_400_BAD_REQUEST),
    (PermissionDenied, status.HTTP_403_FORBIDDEN),
]

DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "malformed_json",
    exceptions.Throttled: "throttled",
}


def status_of(error: DomainError) -> int:
    explicit = getattr(error, "http_status", None)
    if explicit is not None:
        return explicit
    for family, code in DOMAIN_STATUS:
        if isinstance(error, family):
            return code
    return status.HTTP_400_BAD_REQUEST


# The keys of an error body beyond `error` and `detail`, each taken from the domain
# error's payload when it has it.
BODY_KEYS = ("errors", "lines")


def body_of(error: DomainError) -> dict[str, object]:
    payload = error.payload()
    return {"error": error.code, "detail": str(error), **{k: payload[k] for k in BODY_KEYS if k in payload}}


def flatten(detail: object, path: tuple[str, ...] = ()) -> list[dict[str, object]]:
    """DRF's nested validation errors as one list, each message with the dotted path
    of its field: `{"lines": [{}, {"quantity": ["…"]}]}` → `lines.1.quantity`. A
    message about the whole body (`non_field_errors` at the top) has no `field`."""
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            inner = (
                path if key in (api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS) else (*path, str(key))
            )
            items += flatten(value, inner)
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            items += flatten(value, path) if isinstance(value, str) else flatten(value, (*path, str(index)))
        return items
    return [{"field": ".".join(path), "detail": str(detail)} if path else {"detail": str(detail)}]


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"error": "request_too_large", "detail": str(exc)},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent):  # over DATA_UPLOAD_MAX_NUMBER_FIELDS parameters
        return Response({"error": "too_many_fields", "detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, SuspiciousOperation):  # Django's other refusals of a request: a 400 too
        return Response({"error": "bad_request", "detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DomainError):
        return Response(body_of(exc), status=status_of(exc))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "error": "invalid",
            "detail": _("The request is invalid: see `errors`."),
            "errors": flatten(exc.detail),
        }
        return response
    code = next((c for klass, c in DRF_CODES.items() if isinstance(exc, klass)), "error")
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    response.data = {"error": code, "detail": detail}
    return response


@csrf_exempt  # like every API view: a POST there is a 404, not a CSRF page
def no_such_endpoint(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/v1/, a path parameter of the wrong shape included:
    the API's JSON 404, not Django's HTML page."""
    return JsonResponse({"error": "not_found", "detail": _("No such endpoint.")}, status=404)
