"""Request hygiene applied once, before any view."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class RejectNulInQueryMiddleware:
    """400 for a NUL byte in the query string.

    PostgreSQL cannot hold NUL in text, so a `?q=%00` that reaches a filter fails inside the
    database. Forms and serializers already refuse NUL in posted fields; query strings bypass
    them, so they are checked here for every page and endpoint at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in value for values in request.GET.lists() for value in values[1]
        ):
            return HttpResponseBadRequest(
                "The address contains a character that is not allowed (NUL).",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
