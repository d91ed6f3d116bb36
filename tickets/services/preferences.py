"""An agent's own desk queue settings: the columns shown, the extra filters open or closed, and
the last view (the queue opens there next time). Personal display settings, so not audited."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from itsm.accounts.models import User
from itsm.core.permissions import require_permission
from tickets import permissions as may
from tickets.choices import QueueColumn
from tickets.exceptions import InvalidTicketInput
from tickets.models import QueuePreference

LAST_QUERY_MAX_LENGTH = 1000
REFUSAL = "Only the service desk has a queue to arrange."


def queue_columns_clean(columns: Iterable[str]) -> list[str]:
    """`columns` in the table's order, each once; refuses a column that does not exist. The
    number is always shown: it is the row's link to the ticket."""
    chosen = set(columns)
    unknown = chosen - set(QueueColumn.values)
    if unknown:
        raise InvalidTicketInput(
            f"There is no column called {', '.join(sorted(unknown))}.", field="columns"
        )
    chosen.add(QueueColumn.NUMBER)
    return [column for column in QueueColumn.values if column in chosen]


@transaction.atomic
def queue_preference_update(
    *,
    user: User,
    columns: Iterable[str] | None = None,
    filters_open: bool | None = None,
    last_query: str | None = None,
) -> QueuePreference:
    """Change what is given (None leaves a setting as it is) and return the preference."""
    require_permission(user, may.VIEW, refusal=REFUSAL)
    preference, _ = QueuePreference.objects.select_for_update().get_or_create(user=user)
    if columns is not None:
        preference.columns = queue_columns_clean(columns)
    if filters_open is not None:
        preference.filters_open = filters_open
    if last_query is not None:
        if len(last_query) > LAST_QUERY_MAX_LENGTH:
            raise InvalidTicketInput(
                f"A view is at most {LAST_QUERY_MAX_LENGTH} characters.", field="last_query"
            )
        preference.last_query = last_query
    preference.save()
    return preference


def queue_preference_remember_view(*, user: User, query: str) -> None:
    """Record `query` (the queue page's query string) as the agent's last view, in one
    statement: the queue calls this on every change of view, so it must stay cheap. A query
    string too long to keep is not remembered (the previous view stays)."""
    require_permission(user, may.VIEW, refusal=REFUSAL)
    if len(query) > LAST_QUERY_MAX_LENGTH:
        return
    QueuePreference.objects.bulk_create(
        [QueuePreference(user=user, last_query=query, updated_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["last_query", "updated_at"],
    )
