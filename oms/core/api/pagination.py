from __future__ import annotations

import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

_DIGITS = re.compile(r"[0-9]{1,18}")


class Pagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}`; `?page=` (from 1) and `?page_size=`
    (1 to 500). Anything else in them is a `400`, not a silent default; a page past
    the last one is a `404`."""

    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()

    def get_page_size(self, request) -> int:
        size = self._whole_number(request, self.page_size_query_param)
        if size is None:
            return self.page_size
        if size > self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [_("At most %(n)d per page.") % {"n": self.max_page_size}]}
            )
        return size

    def get_page_number(self, request, paginator) -> int:
        return self._whole_number(request, self.page_query_param) or 1

    def _whole_number(self, request, name: str) -> int | None:
        values = request.query_params.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            raise ValidationError({name: [_("Give this parameter once.")]})
        if not _DIGITS.fullmatch(values[0]) or int(values[0]) < 1:
            raise ValidationError({name: [_("A whole number from 1 is required.")]})
        return int(values[0])

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
            else:
                parameter["schema"]["maximum"] = 10**18 - 1
        return parameters
