"""What an API create answered to an Idempotency-Key, so sending it again creates nothing."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class IdempotentRequest(models.Model):
    """One API create sent with an `Idempotency-Key` header: the request's fingerprint and
    the answer it got. The same person sending the same key again within the retention
    window gets that answer back instead of a second record.

    Kept in PostgreSQL, in the create's own transaction, so the answer and the record it
    created commit together and a Redis outage cannot lose either. The unique constraint is
    what makes two concurrent sends of one key create one record: the second insert waits
    for the first transaction and then finds its row.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of the method, the path and the body: the same key with another body is refused.
    fingerprint = models.CharField(max_length=64)
    # Empty until the create has answered; only its own transaction ever sees it empty.
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_one_answer_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code or 'pending'})"
