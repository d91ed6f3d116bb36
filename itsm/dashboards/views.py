from django.shortcuts import render

from itsm.core.views import desk_view


@desk_view
def overview(request):
    return render(request, "dashboards/overview.html")
