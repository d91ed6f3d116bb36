"""Writes of the portal: recording that an article solved a requester's problem."""

from typing import Any

from django.db import transaction

from itsm.audit.services import audit_record
from itsm.core.exceptions import PermissionRefused
from itsm.portal.models import Deflection
from knowledge.models import Article
from knowledge.selectors import article_list_for_user


@transaction.atomic
def deflection_record(*, user: Any, article: Article, query: str) -> Deflection:
    """Record that `article` solved what `user` was about to report, so no ticket is raised.

    The article must be one `user` may read (a requester: published and public), whatever the
    page offered. Writes the Deflection row and an audit event on it; no notification.
    """
    if not article_list_for_user(user).filter(pk=article.pk).exists():
        raise PermissionRefused("This article is not available to you.")
    deflection = Deflection.objects.create(
        user=user, article=article, query=(query or "").strip()[:200]
    )
    audit_record(
        record=deflection,
        actor=user,
        action="deflected",
        changes={"article": {"from": None, "to": article.number}},
        message=deflection.query,
    )
    return deflection
