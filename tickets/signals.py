"""Drop cached lists when what they list changes: the queue's filter choices (a team, agent,
role, service or category) the priority matrix (a priority rule) and the
active SLA policies with their calendars."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from tickets import live
from tickets.selectors import filter_choices_forget


def _forget_filter_choices(sender, **kwargs) -> None:
    filter_choices_forget()


def connect() -> None:
    from itsm.accounts.models import Team, User
    from itsm.calendars.models import BusinessCalendar, ClosedDate, WorkingInterval
    from itsm.cmdb.models import Service
    from tickets.models import Category, PriorityRule, SlaPolicy, Ticket

    for model in (Team, Service, Category):
        post_save.connect(_forget_filter_choices, sender=model, dispatch_uid=f"fc-{model}")
        post_delete.connect(_forget_filter_choices, sender=model, dispatch_uid=f"fc-d-{model}")
    post_delete.connect(_forget_filter_choices, sender=User, dispatch_uid="fc-d-user")
    post_save.connect(_forget_priority_matrix, sender=PriorityRule, dispatch_uid="pm-rule")
    post_delete.connect(_forget_priority_matrix, sender=PriorityRule, dispatch_uid="pm-d-rule")
    for sla_model in (SlaPolicy, BusinessCalendar, ClosedDate, WorkingInterval):
        post_save.connect(_forget_sla_policies, sender=sla_model, dispatch_uid=f"sla-{sla_model}")
        post_delete.connect(
            _forget_sla_policies, sender=sla_model, dispatch_uid=f"sla-d-{sla_model}"
        )
    post_save.connect(_user_saved, sender=User, dispatch_uid="fc-user")
    # Open ticket pages and queues hear of every write (tickets.live).
    post_save.connect(live.ticket_saved, sender=Ticket, dispatch_uid="live-ticket")
    m2m_changed.connect(
        _forget_filter_choices, sender=Team.members.through, dispatch_uid="fc-members"
    )
    # A role given or taken adds or removes someone from the desk's people list.
    m2m_changed.connect(_forget_filter_choices, sender=User.groups.through, dispatch_uid="fc-roles")


def _forget_priority_matrix(sender, **kwargs) -> None:
    from tickets.services.lifecycle import priority_matrix_forget

    priority_matrix_forget()


def _forget_sla_policies(sender, **kwargs) -> None:
    from tickets.sla.services import sla_policies_forget

    sla_policies_forget()


def _user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    # A sign-in saves only last_login; the agent list shows names, so that is no change.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    filter_choices_forget()
