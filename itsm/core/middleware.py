"""Request hygiene applied once, before any view."""

from django.http import HttpRequest, HttpResponse

from itsm.core.refusals import bad_request_response

NUL_REFUSED = "The address contains a character that is not allowed (NUL)."


class RejectNulInQueryMiddleware:
    """400 for a NUL byte anywhere in the address: the path or the query string.

    PostgreSQL cannot hold NUL in text, so a `/incidents/%00/` or `?q=%00` that reaches a
    lookup or a filter fails inside the database. Forms and serializers already refuse NUL in
    posted fields; addresses bypass them, so they are checked here for every page and
    endpoint at once. The answer is JSON under /api/ and the error page elsewhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path
            or "\x00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in value for values in request.GET.lists() for value in values[1])
        ):
            return bad_request_response(request, NUL_REFUSED, code="nul_in_address")
        return self.get_response(request)
