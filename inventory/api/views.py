"""REST API of the unified stock: stock points, products, stock feeds, availability.

Views are thin: they validate input with a serializer, call one service or
selector, and render. Errors are rendered by `oms.core.api.errors.exception_handler`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response

from inventory.api.filters import ProductFilter, StockPointFilter
from inventory.api.serializers import (
    PRODUCT_ERROR_PATHS,
    STOCK_POINT_ERROR_PATHS,
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    FeedResultSerializer,
    FeedSerializer,
    ProductSerializer,
    StockPointSerializer,
    availability_data,
)
from inventory.errors import UnknownCode
from inventory.models import Sku, StockPoint
from inventory.selectors import availability
from inventory.services.catalogue import (
    create_sku,
    create_stock_point,
    update_sku,
    update_stock_point,
)
from inventory.services.feeds import apply_feed
from oms.core.actors import actor_of
from oms.core.api.input import ApiView, StrictInput, parse_json
from oms.core.errors import InvalidInput
from oms.core.permissions import ApiScope, IsNetworkWriter, IsNetworkWriterOrReadOnly, TokenScopes

# Every operation's errors are documented by oms.core.api.schema.document_errors, in
# the shared `Error` shape; these give the views' own descriptions.
READ_ERRORS = {
    401: OpenApiResponse(description=gettext_lazy("Not authenticated.")),
    403: OpenApiResponse(
        description=gettext_lazy(
            "No role that may read this, or a token without the scope (`insufficient_scope`)."
        )
    ),
}
WRITE_ERRORS = {
    400: OpenApiResponse(description=gettext_lazy("Invalid input; nothing changed.")),
    401: READ_ERRORS[401],
    403: OpenApiResponse(
        description=gettext_lazy(
            "Only head office and integrations write, a token only with the scope (`insufficient_scope`)."
        )
    ),
}
NOT_FOUND = {404: OpenApiResponse(description=gettext_lazy("Unknown code."))}


@contextmanager
def model_errors_as_input(paths: Mapping[str, tuple[str, ...]]) -> Iterator[None]:
    """Report the model's own validation (the services' `full_clean`) under the
    names of the API's input, nested like it: `address_line1` → `address.line1`."""
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise serializers.ValidationError({"non_field_errors": exc.messages}) from exc
        fields: dict[str, object] = {}
        for name, messages in exc.message_dict.items():
            if name == NON_FIELD_ERRORS:
                name = "non_field_errors"
            *parents, leaf = paths.get(name, (name,))
            node = fields
            for parent in parents:
                node = node.setdefault(parent, {})
            node[leaf] = messages
        raise serializers.ValidationError(fields) from exc


# --- Stock points -------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary=gettext_lazy("List stock points"),
        responses={200: StockPointSerializer(many=True), **READ_ERRORS},
    )
)
class StockPointListView(StrictInput, generics.ListAPIView):
    queryset = StockPoint.objects.all()
    serializer_class = StockPointSerializer
    filterset_class = StockPointFilter
    permission_classes = [IsNetworkWriterOrReadOnly, TokenScopes]
    write_scope = ApiScope.CATALOGUE_WRITE

    @extend_schema(
        summary=gettext_lazy("Create a stock point"), responses={201: StockPointSerializer, **WRITE_ERRORS}
    )
    def post(self, request: Request) -> Response:
        serializer = StockPointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_input(STOCK_POINT_ERROR_PATHS):
            point = create_stock_point(**serializer.validated_data)
        return Response(StockPointSerializer(point).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary=gettext_lazy("A stock point"),
        responses={200: StockPointSerializer, **READ_ERRORS, **NOT_FOUND},
    )
)
class StockPointDetailView(StrictInput, generics.RetrieveAPIView):
    queryset = StockPoint.objects.all()
    serializer_class = StockPointSerializer
    permission_classes = [IsNetworkWriterOrReadOnly, TokenScopes]
    write_scope = ApiScope.CATALOGUE_WRITE
    lookup_field = "code"

    def get_object(self) -> StockPoint:
        code = self.kwargs["code"]
        point = self.get_queryset().filter(code=code).first()
        if point is None:
            raise UnknownCode("stock_point", code)
        return point

    @extend_schema(
        summary=gettext_lazy("Change a stock point"),
        description=gettext_lazy("Send only the fields to change; `code` cannot change."),
        responses={200: StockPointSerializer, **WRITE_ERRORS, **NOT_FOUND},
    )
    def patch(self, request: Request, code: str) -> Response:
        point = self.get_object()
        serializer = StockPointSerializer(point, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = {k: v for k, v in serializer.validated_data.items() if k != "code"}
        with model_errors_as_input(STOCK_POINT_ERROR_PATHS):
            point = update_stock_point(point, **values)
        return Response(StockPointSerializer(point).data)


# --- Products -----------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary=gettext_lazy("List products"), responses={200: ProductSerializer(many=True), **READ_ERRORS}
    )
)
class ProductListView(StrictInput, generics.ListAPIView):
    queryset = Sku.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    permission_classes = [IsNetworkWriterOrReadOnly, TokenScopes]
    write_scope = ApiScope.CATALOGUE_WRITE

    @extend_schema(
        summary=gettext_lazy("Create a product"), responses={201: ProductSerializer, **WRITE_ERRORS}
    )
    def post(self, request: Request) -> Response:
        serializer = ProductSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_input(PRODUCT_ERROR_PATHS):
            sku = create_sku(**serializer.validated_data)
        return Response(ProductSerializer(sku).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary=gettext_lazy("A product"), responses={200: ProductSerializer, **READ_ERRORS, **NOT_FOUND}
    )
)
class ProductDetailView(StrictInput, generics.RetrieveAPIView):
    queryset = Sku.objects.all()
    serializer_class = ProductSerializer
    permission_classes = [IsNetworkWriterOrReadOnly, TokenScopes]
    write_scope = ApiScope.CATALOGUE_WRITE
    lookup_field = "code"
    lookup_url_kwarg = "sku"

    def get_object(self) -> Sku:
        code = self.kwargs["sku"]
        sku = self.get_queryset().filter(code=code).first()
        if sku is None:
            raise UnknownCode("sku", code)
        return sku

    @extend_schema(
        summary=gettext_lazy("Change a product"),
        description=gettext_lazy("Send only the fields to change; `sku` cannot change."),
        responses={200: ProductSerializer, **WRITE_ERRORS, **NOT_FOUND},
    )
    def patch(self, request: Request, sku: str) -> Response:
        product = self.get_object()
        serializer = ProductSerializer(product, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = {k: v for k, v in serializer.validated_data.items() if k != "code"}
        with model_errors_as_input(PRODUCT_ERROR_PATHS):
            product = update_sku(product, **values)
        return Response(ProductSerializer(product).data)


# --- Stock feed ---------------------------------------------------------------------

MAX_FEED_BYTES = 16 * 1024 * 1024


class FeedTooLarge(InvalidInput):
    code = "request_too_large"
    http_status = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE

    def __init__(self) -> None:
        super().__init__(
            _("A feed body is limited to %(mb)d MB: split it into several calls.")
            % {"mb": MAX_FEED_BYTES // (1024 * 1024)}
        )


class FeedParser(BaseParser):
    """JSON of up to MAX_FEED_BYTES. 50,000 rows exceed Django's request limit
    (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB), which DRF applies to its own JSONParser
    through `request.body`; this parser reads the stream itself, with its own limit."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read(MAX_FEED_BYTES + 1)
        if len(body) > MAX_FEED_BYTES:
            raise FeedTooLarge()
        return parse_json(body)


class StockFeedView(ApiView):
    permission_classes = [IsNetworkWriter, TokenScopes]
    write_scope = ApiScope.STOCK_WRITE
    parser_classes = [FeedParser]

    @extend_schema(
        summary=gettext_lazy("Push stock from an ERP, WMS or POS"),
        description=gettext_lazy(
            "`absolute`: on hand per row as of `as_of` (default now); `delta`: changes of "
            "on hand. Up to 50,000 rows. All or nothing: any bad row refuses the whole "
            "feed with `400 invalid_feed` listing every bad row by index: malformed rows, "
            "unknown codes and impossible quantities alike."
        ),
        request=FeedSerializer,
        examples=[
            OpenApiExample(
                "Delta from a warehouse",
                request_only=True,
                value={
                    "mode": "delta",
                    "reference": "WMS-2024-0042",
                    "items": [
                        {"stock_point": "WH-ORLEANS", "sku": "LAMP", "quantity": 12},
                        {"stock_point": "WH-ORLEANS", "sku": "SHIRT", "quantity": -3},
                    ],
                },
            )
        ],
        responses={
            200: FeedResultSerializer,
            400: OpenApiResponse(
                description=gettext_lazy(
                    "Nothing was applied: `invalid_feed` lists every bad row in `errors`."
                )
            ),
            401: READ_ERRORS[401],
            403: WRITE_ERRORS[403],
            413: OpenApiResponse(description=gettext_lazy("Body over 16 MB.")),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = FeedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = apply_feed(
            data["mode"],
            data["items"],
            actor=actor_of(request),
            as_of=data.get("as_of"),
            reference=data["reference"],
            malformed=data["malformed"],
        )
        return Response(asdict(result))


# --- Availability -------------------------------------------------------------------


class AvailabilityView(ApiView):
    permission_classes = [IsNetworkWriterOrReadOnly, TokenScopes]
    write_scope = ApiScope.STOCK_WRITE  # a stock feeder reads availability too

    @extend_schema(
        summary=gettext_lazy("Availability (ATP) of SKUs"),
        description=gettext_lazy(
            "ATP per SKU for a channel, per stock point (those with units to promise, "
            "best first) and future stock by date. Unknown SKUs are reported with zero."
        ),
        parameters=[AvailabilityQuerySerializer],
        responses={
            200: AvailabilitySerializer,
            400: OpenApiResponse(description=gettext_lazy("Invalid query.")),
            **READ_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = availability(
            query.validated_data["sku"],
            channel=query.validated_data["channel"],
            with_stock_points=query.validated_data["stock_points"] == "true",
        )
        return Response({"results": [availability_data(result) for result in results]})
