"""The change's field lists, each declared once (see itsm.core.fieldlists)."""

# What `change_create` and `change_update` write onto the change itself (audited field by
# field); the services and CIs it affects are set apart, as many-to-many links.
CHANGE_EDITABLE_FIELDS = (
    "title",
    "public_title",
    "description",
    "justification",
    "planned_start",
    "planned_end",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "assignment_team",
    "implementer",
    "problem",
)
CHANGE_SCOPE_FIELDS = ("services", "cis")

# The desk's create and edit forms: everything but the problem (the desk form has no problem
# picker), plus the scope. Creating also asks for the type and the standard-change template.
CHANGE_DESK_FIELDS = (
    *(name for name in CHANGE_EDITABLE_FIELDS if name != "problem"),
    *CHANGE_SCOPE_FIELDS,
)
CHANGE_CREATE_ONLY_FIELDS = ("change_type", "template")

# /api/v1/changes/ POST and PATCH: everything but the requesters' title (which starts as the
# title), plus the scope.
CHANGE_API_FIELDS = (
    *(name for name in CHANGE_EDITABLE_FIELDS if name != "public_title"),
    *CHANGE_SCOPE_FIELDS,
)
