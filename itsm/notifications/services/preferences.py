"""A user's choice of which emails they receive."""

from django.db import transaction

from itsm.accounts.models import User
from itsm.notifications.models import NotificationPreference


@transaction.atomic
def notification_preference_update(
    *, user: User, receive_non_essential: bool
) -> NotificationPreference:
    """Record whether `user` wants non-essential emails (essential ones always go out)."""
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    preference.receive_non_essential = receive_non_essential
    preference.save(update_fields=["receive_non_essential"])
    return preference
