"""The problem's field lists, each declared once (see itsm.core.fieldlists)."""

# What the problem is about: the desk's problem form, raising and editing alike.
PROBLEM_DESCRIPTION_FIELDS = (
    "statement",
    "description",
    "service",
    "ci",
    "category",
    "priority",
    "assignee",
)
# The root-cause analysis, which the desk edits in its own form on the problem page.
PROBLEM_ANALYSIS_FIELDS = ("symptoms", "root_cause", "rca_method", "rca_analysis")
# Everything `problem_update` may change; the API takes it all in one body.
PROBLEM_EDITABLE_FIELDS = (*PROBLEM_DESCRIPTION_FIELDS, *PROBLEM_ANALYSIS_FIELDS)
# The desk's analysis form: the structured analysis is typed one step per line (`whys`),
# which the view turns into `rca_analysis`.
PROBLEM_RCA_FORM_FIELDS = (
    *(name for name in PROBLEM_ANALYSIS_FIELDS if name != "rca_analysis"),
    "whys",
)
