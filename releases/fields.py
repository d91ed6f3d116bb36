"""The release's field lists, each declared once (see itsm.core.fieldlists)."""

# What `release_create` and `release_update` write onto the release (audited field by field).
RELEASE_EDITABLE_FIELDS = (
    "name",
    "version_label",
    "release_type",
    "description",
    "owner",
    "planned_build_at",
    "planned_test_at",
    "planned_deploy_at",
    "hypercare_days",
    "known_issues",
    "communication",
)
# The changes it bundles and the articles agents get, set as many-to-many links.
RELEASE_LINK_FIELDS = ("changes", "articles")
# What the desk form and the API take: no owner (whoever plans the release owns it), plus
# the links. The API calls `version_label` `release_version`.
RELEASE_INPUT_FIELDS = (
    *(name for name in RELEASE_EDITABLE_FIELDS if name != "owner"),
    *RELEASE_LINK_FIELDS,
)
