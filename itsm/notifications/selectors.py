"""Reads for the notification pages."""

from itsm.accounts.models import User
from itsm.notifications.models import NotificationPreference


def notification_preference_get_for_user(*, user: User) -> NotificationPreference:
    """The user's preference, or an unsaved default (everything on) if they never chose."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)
