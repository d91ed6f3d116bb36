"""The desk home (/desk/): the agent's day, one panel per process (selectors.home)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from itsm.core.views import desk_view
from itsm.dashboards.selectors.home import desk_day_for


@desk_view
def desk_home(request: HttpRequest) -> HttpResponse:
    """Every panel of the agent's day; a manager also sees each team's counts."""
    day = desk_day_for(user=request.user)
    return render(request, "desk/home.html", {"day": day})
