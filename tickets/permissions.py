"""The permission each ticket act needs (DESIGN §5), checked by the services through
`itsm.core.permissions.require_permission`. Roles get them in `itsm.accounts.roles`.

Read-only desk roles (CAB member, knowledge editor) see tickets but hold none of the
"change" permissions below; everybody holds RAISE_OWN, because every employee is a requester.
"""

# Raise one's own tickets and follow them: reply, withdraw, reopen, rate, join a major incident.
RAISE_OWN = "tickets.raise_ticket"
# Read every ticket (the desk's queues), follow anybody's ticket, keep one's queue filters.
VIEW = "tickets.view_ticket"
# Raise a ticket on behalf of a caller.
RAISE_FOR_OTHERS = "tickets.add_ticket"
# "May change incidents": triage, edit, set priority, assign, move, link.
CHANGE = "tickets.change_ticket"
# Desk replies and work notes on tickets one does not own.
COMMENT = "tickets.add_comment"
# "May declare a major incident", and run one (updates, resolution, review).
DECLARE_MAJOR = "tickets.add_majorincident"
RUN_MAJOR = "tickets.change_majorincident"
# Work fulfilment tasks of service requests.
WORK_TASK = "tickets.change_fulfilmenttask"
# Approve or reject a request's approval asked of oneself (the service checks the name too).
DECIDE_APPROVAL = "tickets.decide_approval"
# Log time worked on a ticket, and correct or delete one's own entries.
LOG_TIME = "tickets.add_timeentry"
# Correct or delete anybody's time entries (the service desk manager).
MANAGE_TIME = "tickets.delete_timeentry"
# Manage every macro, global or of any team (a team's lead manages that team's own).
MANAGE_MACRO = "tickets.manage_macro"
# Write one's own (personal) canned responses, and insert any one sees.
WRITE_CANNED = "tickets.add_cannedresponse"
# Write team and global canned responses (a team's lead may write their team's without it).
MANAGE_SHARED_CANNED = "tickets.manage_shared_cannedresponse"
