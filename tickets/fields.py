"""The ticket's field lists, each declared once (see itsm.core.fieldlists).

`tickets.services` writes by these lists; the desk forms, the portal form and the API
serializers check at import that they take exactly these inputs.
"""

# What an agent may change about a ticket after it is raised (`ticket_update`, PATCH on
# /api/v1/incidents/<number>/ with its `version`). Priority follows impact × urgency.
TICKET_EDITABLE_FIELDS = (
    "short_description",
    "description",
    "category",
    "subcategory",
    "service",
    "ci",
    "impact",
    "urgency",
)

# What the desk gives when raising a ticket for a caller (`ticket_create`): the editable
# fields plus who asked, through which channel and for which team. The desk form also asks
# for the kind; in the API the kind comes from the URL (incidents/ or requests/).
TICKET_CREATE_FIELDS = ("requester", "channel", *TICKET_EDITABLE_FIELDS, "assignment_team")

# What a requester gives when reporting their own incident, in the portal and the API
# alike; everything else (impact, team, channel …) is the desk's to set.
REQUESTER_REPORT_FIELDS = ("short_description", "description", "service", "urgency", "attachments")
