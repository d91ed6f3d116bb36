"""Drop the queue's cached filter choices when a team, agent, role, service or category changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from tickets.selectors import filter_choices_forget


def _forget_filter_choices(sender, **kwargs) -> None:
    filter_choices_forget()


def connect() -> None:
    from itsm.accounts.models import Team, User
    from itsm.cmdb.models import Service
    from tickets.models import Category

    for model in (Team, Service, Category):
        post_save.connect(_forget_filter_choices, sender=model, dispatch_uid=f"fc-{model}")
        post_delete.connect(_forget_filter_choices, sender=model, dispatch_uid=f"fc-d-{model}")
    post_delete.connect(_forget_filter_choices, sender=User, dispatch_uid="fc-d-user")
    post_save.connect(_user_saved, sender=User, dispatch_uid="fc-user")
    m2m_changed.connect(
        _forget_filter_choices, sender=Team.members.through, dispatch_uid="fc-members"
    )
    # A role given or taken adds or removes someone from the desk's people list.
    m2m_changed.connect(_forget_filter_choices, sender=User.groups.through, dispatch_uid="fc-roles")


def _user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    # A sign-in saves only last_login; the agent list shows names, so that is no change.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    filter_choices_forget()
