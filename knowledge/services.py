"""Every write to the knowledge base: one function per use case, audited, in a transaction."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from itsm.audit.services import audit_record, field_changes
from itsm.core.exceptions import GuardFailed, PermissionRefused
from itsm.core.locking import lock_for_update
from knowledge import workflow
from knowledge.choices import ArticleStatus
from knowledge.fields import ARTICLE_META_FIELDS, ARTICLE_TEXT_FIELDS
from knowledge.models import Article, ArticleFeedback, ArticleRevision, ArticleVersion

TEXT_FIELDS = ARTICLE_TEXT_FIELDS
META_FIELDS = ARTICLE_META_FIELDS
DEFAULT_REVIEW_INTERVAL = datetime.timedelta(days=365)


def _require(actor: Any, permission: str, what: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionRefused(f"You are not allowed to {what}.")


@transaction.atomic
def article_create(
    *,
    actor: Any,
    title: str,
    body: str,
    summary: str = "",
    services: Iterable[Any] = (),
    **fields: Any,
) -> Article:
    """Write a new draft. Agents and knowledge editors may; the author is the last editor."""
    _require(actor, "knowledge.add_article", "write articles")
    article = Article(
        number=Article.next_number(),
        title=title,
        summary=summary,
        body=body,
        last_edited_by=actor,
        owner=fields.pop("owner", None) or actor,
        **{k: v for k, v in fields.items() if k in META_FIELDS},
    )
    article.full_clean(exclude=["search"])
    article.save()
    article.services.set(services)
    audit_record(record=article, actor=actor, action="created")
    return article


def _open_revision(article: Article) -> ArticleRevision | None:
    # Callers hold the article's row lock, and every write to a revision takes it first,
    # so the revision read here cannot change underneath them.
    return ArticleRevision.objects.filter(article=article).first()


@transaction.atomic
def article_update(
    *,
    article: Article,
    actor: Any,
    expected_version: int | None,
    services: Iterable[Any] | None = None,
    **fields: Any,
) -> Article:
    """Change an article. Text may change only in draft or review: a published article's
    text changes in its open revision (see article_transition, "Revise") while the published
    text stays live. Metadata (owner, category, review-by …) may change any time and applies
    at once. A stale `expected_version` raises StaleVersion (409)."""
    _require(actor, "knowledge.change_article", "edit articles")
    article = lock_for_update(
        Article.objects.all(), pk=article.pk, expected_version=expected_version
    )
    revision = _open_revision(article)
    text_record: Article | ArticleRevision = revision or article
    names = [n for n in (*TEXT_FIELDS, *META_FIELDS) if n in fields]
    before = {n: getattr(text_record if n in TEXT_FIELDS else article, n) for n in names}
    text_changed = any(n in TEXT_FIELDS and fields[n] != before[n] for n in names)
    if text_changed and text_record.status not in (ArticleStatus.DRAFT, ArticleStatus.REVIEW):
        raise GuardFailed(
            f"A {article.get_status_display().lower()} article's text cannot be edited; "
            "revise it first (the published text stays live until the revision is published).",
            field="body",
        )
    for name in names:
        setattr(text_record if name in TEXT_FIELDS else article, name, fields[name])
    if text_changed:
        text_record.last_edited_by = actor
        if revision is not None:
            revision.full_clean(exclude=["article"])
            revision.save()
    article.full_clean(exclude=["search"])
    article.version += 1
    article.save()
    changes = field_changes(
        before, {n: getattr(text_record if n in TEXT_FIELDS else article, n) for n in names}
    )
    if services is not None:
        old = dict(article.services.values_list("pk", "name"))
        new = {s.pk: s.name for s in services}
        if old.keys() != new.keys():
            article.services.set(services)
            # Names, not ids: the timeline shows what a person would recognise.
            changes["services"] = {"from": sorted(old.values()), "to": sorted(new.values())}
    if changes:
        # Bodies are long: the timeline says that they changed, the versions keep the text.
        for name in TEXT_FIELDS[1:]:
            if name in changes:
                changes[name] = {"from": "…", "to": "…"}
        edited_revision = revision is not None and text_changed
        audit_record(
            record=article,
            actor=actor,
            action="updated",
            changes=changes,
            message="Edited the revision; the published text is unchanged"
            if edited_revision
            else "",
        )
    return article


@transaction.atomic
def article_transition(
    *, article: Article, actor: Any, to_status: str, expected_version: int | None
) -> Article:
    """The one code path that changes an article's status (workflow.TRANSITIONS decides).

    Publishing freezes the text as a new ArticleVersion and sets a review-by date a year out
    when none is set (or it has passed). "Revise" on a published article does not take it
    offline: it opens an ArticleRevision holding the next text, and while one is open the
    moves (submit, send back, publish) are the revision's. Publishing the revision replaces
    the published text.
    """
    article = lock_for_update(
        Article.objects.all(), pk=article.pk, expected_version=expected_version
    )
    revision = _open_revision(article)
    if revision is not None:
        if to_status == ArticleStatus.RETIRED:
            raise GuardFailed(
                "This article has a revision in progress: publish or discard it before "
                "retiring the article."
            )
        return _move_revision(article=article, revision=revision, actor=actor, to_status=to_status)
    if article.status == ArticleStatus.PUBLISHED and to_status == ArticleStatus.DRAFT:
        _revise(article=article, actor=actor)
        return article
    return _move(article=article, actor=actor, to_status=to_status)


def _publish(*, article: Article, actor: Any) -> None:
    """Stamp the article published and freeze its current text as the next version."""
    now = timezone.now()
    article.published_at = now
    article.published_by = actor
    if article.review_by is None or article.review_by <= now.date():
        article.review_by = now.date() + DEFAULT_REVIEW_INTERVAL
    last = article.versions.order_by("-number").values_list("number", flat=True).first()
    ArticleVersion.objects.create(
        article=article,
        number=(last or 0) + 1,
        title=article.title,
        summary=article.summary,
        body=article.body,
        published_at=now,
        published_by=actor,
    )


def _move(*, article: Article, actor: Any, to_status: str, message: str = "") -> Article:
    transition = workflow.check(article, actor, to_status)
    from_status = article.status
    article.status = to_status
    if to_status == ArticleStatus.PUBLISHED:
        _publish(article=article, actor=actor)
    article.version += 1
    article.save()
    audit_record(
        record=article,
        actor=actor,
        action="status_changed",
        changes={"status": {"from": from_status, "to": to_status}},
        message=message or transition.label,
    )
    return article


def _revise(*, article: Article, actor: Any) -> ArticleRevision:
    """Open a revision of the published `article` (the table's published → draft move)."""
    transition = workflow.check(article, actor, ArticleStatus.DRAFT)
    revision = ArticleRevision.objects.create(
        article=article,
        title=article.title,
        summary=article.summary,
        body=article.body,
        # The live text's author stays its author until someone changes the revision.
        last_edited_by=article.last_edited_by,
        started_by=actor,
    )
    article.version += 1
    article.save(update_fields=["version", "updated_at"])
    audit_record(
        record=article,
        actor=actor,
        action="revision_started",
        changes={"revision": {"from": "", "to": ArticleStatus.DRAFT}},
        message=f"{transition.label}: the published version stays live until the revision "
        "is published",
    )
    return revision


def _move_revision(
    *, article: Article, revision: ArticleRevision, actor: Any, to_status: str
) -> Article:
    # The workflow judges the revision like an article (its status, text and last editor),
    # so the four-eyes guard applies to whoever wrote the revision.
    transition = workflow.check(revision, actor, to_status)
    from_status = revision.status
    if to_status == ArticleStatus.PUBLISHED:
        article.title, article.summary, article.body = (
            revision.title,
            revision.summary,
            revision.body,
        )
        article.last_edited_by = revision.last_edited_by
        _publish(article=article, actor=actor)
        revision.delete()
    else:
        revision.status = to_status
        revision.save()
    article.version += 1
    article.save()
    audit_record(
        record=article,
        actor=actor,
        action="revision_status_changed",
        changes={"revision": {"from": from_status, "to": to_status}},
        message=transition.label
        + (": it replaces the published text" if to_status == ArticleStatus.PUBLISHED else ""),
    )
    return article


@transaction.atomic
def article_revision_discard(
    *, article: Article, actor: Any, expected_version: int | None
) -> Article:
    """Throw away the open revision of a published article; the published text, which
    never stopped being live, is all that remains. Needs knowledge.change_article."""
    _require(actor, "knowledge.change_article", "edit articles")
    article = lock_for_update(
        Article.objects.all(), pk=article.pk, expected_version=expected_version
    )
    revision = _open_revision(article)
    if revision is None:
        raise GuardFailed("This article has no revision in progress.")
    from_status = revision.status
    revision.delete()
    article.version += 1
    article.save(update_fields=["version", "updated_at"])
    audit_record(
        record=article,
        actor=actor,
        action="revision_discarded",
        changes={"revision": {"from": from_status, "to": ""}},
        message="Discarded the revision; the published text is unchanged",
    )
    return article


@transaction.atomic
def article_restore_version(
    *, article: Article, version_number: int, actor: Any, expected_version: int | None
) -> Article:
    """Bring an older published text back as a new draft revision of the article.

    The restored text must go through review again and the restorer becomes its last
    editor. A published article stays live: the text goes into its revision (opened, or
    sent back to draft, through the workflow table). Otherwise the article itself moves to
    draft.
    """
    _require(actor, "knowledge.change_article", "edit articles")
    article = lock_for_update(
        Article.objects.all(), pk=article.pk, expected_version=expected_version
    )
    old = article.versions.get(number=version_number)
    message = f"Restored the text of version {old.number}"
    target: Article | ArticleRevision
    if article.status == ArticleStatus.PUBLISHED:
        target = _open_revision(article) or _revise(article=article, actor=actor)
        if target.status != ArticleStatus.DRAFT:
            workflow.check(target, actor, ArticleStatus.DRAFT)
            target.status = ArticleStatus.DRAFT
    else:
        target = article
        if article.status != ArticleStatus.DRAFT:
            article = _move(
                article=article, actor=actor, to_status=ArticleStatus.DRAFT, message=message
            )
    target.title, target.summary, target.body = old.title, old.summary, old.body
    target.last_edited_by = actor
    if target is not article:
        target.save()
    article.version += 1
    article.save()
    audit_record(record=article, actor=actor, action="restored", message=message)
    return article


@transaction.atomic
def article_feedback_give(
    *, article: Article, user: Any, is_helpful: bool, comment: str = ""
) -> ArticleFeedback:
    """Record or change the reader's "was this helpful?" answer (one per user and article)."""
    feedback, _ = ArticleFeedback.objects.update_or_create(
        article=article, user=user, defaults={"is_helpful": is_helpful, "comment": comment}
    )
    return feedback


def article_record_view(*, article: Article) -> None:
    """Count one read. A single UPDATE … SET view_count = view_count + 1, so concurrent
    readers never lose a count, and neither `version` nor `updated_at` moves."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
