"""itsm.core.compiled: a queryset's SQL built once, then run with each call's values, gives
what evaluating the queryset gives."""

import pytest
from django.db.models import Count, QuerySet

from itsm.core.compiled import compiled_once, prefetched
from tests.factories.accounts import UserFactory
from tests.factories.tickets import make_ticket
from tickets import services
from tickets.models import Comment, Ticket

pytestmark = pytest.mark.django_db


@compiled_once
def _comments_with_authors(ticket_id: int) -> QuerySet[Comment]:
    return Comment.objects.filter(ticket_id=ticket_id).select_related("author")


@compiled_once
def _numbers_of(requester_id: int) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(requester_id=requester_id)
        .order_by("number")
        .values_list("number", flat=True)
    )


@compiled_once
def _tickets_with_counts(number: str) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(number=number)
        .annotate(watching=Count("watchers"))
        .prefetch_related("watchers")
    )


def _two_tickets_with_notes(requester, agent) -> tuple[Ticket, Ticket]:
    first, second = make_ticket(requester=requester), make_ticket(requester=requester)
    for ticket, notes in ((first, 2), (second, 1)):
        for i in range(notes):
            services.comment_add(ticket=ticket, author=agent, body=f"note {i}", is_public=False)
    return first, second


def test_each_call_reads_its_own_values_with_the_sql_built_once(
    requester, agent, django_assert_num_queries
):
    first, second = _two_tickets_with_notes(requester, agent)
    assert [c.body for c in _comments_with_authors(first.pk)] == ["note 0", "note 1"]
    built = _comments_with_authors._compiled
    with django_assert_num_queries(1):
        comments = _comments_with_authors(second.pk)
        # The author came with the row, as select_related() gives it.
        assert [(c.body, c.author.email) for c in comments] == [("note 0", agent.email)]
    assert _comments_with_authors._compiled is built
    assert comments == list(_comments_with_authors.queryset(second.pk))


def test_values_list_and_annotations_and_prefetches_come_back_as_django_gives_them(
    requester, agent, django_assert_num_queries
):
    first, second = _two_tickets_with_notes(requester, agent)
    assert _numbers_of(requester.pk) == sorted([first.number, second.number])
    assert _numbers_of(agent.pk) == []
    watcher = UserFactory()
    first.watchers.add(agent, watcher)
    with django_assert_num_queries(2):  # the row with its count, then the watchers
        (ticket,) = _tickets_with_counts(first.number)
        assert ticket.watching == 2
        assert set(ticket.watchers.all()) == {agent, watcher}
    assert _tickets_with_counts(second.number)[0].watching == 0


def test_an_argument_that_does_not_reach_the_sql_unchanged_is_refused():
    @compiled_once
    def containing(text: str) -> QuerySet[Ticket]:
        return Ticket.objects.filter(short_description__icontains=text)

    with pytest.raises(TypeError, match="do not reach the SQL unchanged"):
        containing("printer")


def test_none_is_refused_as_it_would_change_the_sql():
    with pytest.raises(TypeError, match="pass ints or strings"):
        _numbers_of(None)


def test_prefetched_rows_answer_the_relation_without_a_query(
    requester, agent, django_assert_num_queries
):
    ticket, _ = _two_tickets_with_notes(requester, agent)
    mine = list(Comment.objects.filter(ticket=ticket))[:1]
    prefetched(ticket, "comments", mine)
    with django_assert_num_queries(0):
        assert list(ticket.comments.all()) == mine
        assert ticket.comments.count() == 1
