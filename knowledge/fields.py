"""The article's field lists, each declared once (see itsm.core.fieldlists)."""

# The text: while an article is published, edits to it go to its open revision.
ARTICLE_TEXT_FIELDS = ("title", "summary", "body")
# Metadata, which changes at once whatever the status.
ARTICLE_META_FIELDS = ("category", "tags", "audience", "owner", "review_by")
# The services it helps with, set as a many-to-many link.
ARTICLE_LINK_FIELDS = ("services",)
# Everything the services write, which the API takes (with `version`).
ARTICLE_EDITABLE_FIELDS = (*ARTICLE_TEXT_FIELDS, *ARTICLE_META_FIELDS, *ARTICLE_LINK_FIELDS)
# The desk's create and edit form: all of it but the owner (the author owns a new article;
# the owner changes in the admin or the API).
ARTICLE_DESK_FIELDS = tuple(name for name in ARTICLE_EDITABLE_FIELDS if name != "owner")
