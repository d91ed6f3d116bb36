"""`{% major_incident_banner %}`: the portal banner of active major incidents."""

from django import template

from tickets.major.selectors import major_banner_list

register = template.Library()


@register.inclusion_tag("components/_banner.html", takes_context=True)
def major_incident_banner(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"majors": []}
    return {
        "majors": major_banner_list(user=user),
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def declare_major_form(ticket, user):
    """The declare form for the ticket page, the current user preselected as manager."""
    from tickets.major.forms import DeclareMajorForm

    pk = getattr(user, "pk", None)
    return DeclareMajorForm(
        initial={"version": ticket.version, "manager": pk, "communications_owner": pk},
        # The ticket page has its own `reason` field (transitions): keep the ids unique.
        auto_id="declare-major-%s",
    )
