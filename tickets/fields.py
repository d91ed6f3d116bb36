"""The ticket's field lists, each declared once (see itsm.core.fieldlists).

`tickets.services` writes by these lists; the desk forms, the portal form and the API
serializers check at import that they take exactly these inputs.
"""

# What the ticket is about: set when it is raised, and re-triaged afterwards.
# Priority follows impact × urgency (unless an agent overrode it, with a reason).
TICKET_DESCRIPTION_FIELDS = (
    "short_description",
    "description",
    "category",
    "subcategory",
    "service",
    "ci",
    "impact",
    "urgency",
)

# What an agent may change about a ticket after it is raised (`ticket_update`: the desk
# ticket page's inline edits and PATCH on /api/v1/incidents/<number>/, both with `version`):
# every field the desk sets when raising it, plus who follows it. Assignment and status
# have use cases of their own (`ticket_assign`, `ticket_transition`).
TICKET_EDITABLE_FIELDS = ("requester", "channel", *TICKET_DESCRIPTION_FIELDS, "watchers")

# What the desk gives when raising a ticket for a caller (`ticket_create`): who asked,
# through which channel, what about and for which team. The desk form also asks for the
# kind (in the API it comes from the URL: incidents/ or requests/) and takes the caller's
# screenshots (the API attaches files on their own endpoint).
TICKET_CREATE_FIELDS = ("requester", "channel", *TICKET_DESCRIPTION_FIELDS, "assignment_team")

# What a requester gives when reporting their own incident, in the portal and the API
# alike; everything else (impact, team, channel …) is the desk's to set.
REQUESTER_REPORT_FIELDS = ("short_description", "description", "service", "urgency", "attachments")
