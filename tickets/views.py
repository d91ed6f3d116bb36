from django.shortcuts import render

from itsm.core.views import desk_view


@desk_view
def incident_queue(request):
    return render(request, "tickets/desk/queue.html")
