"""Text search on tickets.

One search for the desk queue, the API's ?q= and the portal's "my tickets". Every kind of
term is answered from an index, so a word in no ticket costs what a common word costs
(DESIGN §9, §11):
  a whole number (INC0001234)   the number's unique index
  words, phrases ("…"), -word   the weighted full-text vector (GIN ticket_search)
  a number fragment (01234)     trigrams of the number (GIN ticket_number_trgm)
  a requester's name or e-mail  the people table, then the requester index
  a misspelling ("pritner")     when nothing above matches: trigram word similarity on the
                                subject (GIN ticket_subject_trgm)
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import F, Q, QuerySet, Subquery

from itsm.accounts.models import User
from itsm.core.sql import word_similarity_threshold
from tickets.models import SEARCH_CONFIG, Ticket

TICKET_NUMBER = re.compile(r"^(INC|REQ)\d{7}$", re.IGNORECASE)
# Three digits at least: shorter fragments have no trigram to look up and match too much.
NUMBER_FRAGMENT = re.compile(r"^(INC|REQ)?\d{3,7}$", re.IGNORECASE)
SEARCH_MAX_LENGTH = 200
# Names and addresses shorter than this match too many people to be meant.
REQUESTER_MIN_LENGTH = 3
REQUESTER_MATCHES = 50
# word_similarity(term, subject) must reach this to count as a misspelling of a subject word.
# Subjects are short and typos there are often swapped letters, which trigrams score low:
# "pritner" is 0.375 to "Printer jam", while 0.35 still keeps "laptp" off "ERP report layout"
# (0.333). pg_trgm's default, 0.6, finds neither typo.
TYPO_MIN_SIMILARITY = 0.35
# A misspelling is looked up among at most this many similar subjects: a typo of a common
# word would otherwise sort every ticket that has the word.
TYPO_CANDIDATES = 500
# Whether a term matches at all is asked of the newest this-many tickets first.
RECENT_PROBE = 1000
# "Relevance" ranks the newest this-many matches; ranking every match of a common word would
# compute the vector of a large share of the table.
RANK_WINDOW = 100


def search_text_clean(text: str | None) -> str:
    # Postgres refuses NUL in text, and nobody types 200 characters into a search box.
    return (text or "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


def _search_query(text: str) -> SearchQuery:
    return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")


def ticket_list_matching(*, tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """`tickets` narrowed to those matching the search term `text` (all of them when it is
    blank), by the rules in the banner above. One query finds the requesters a name or
    address names, one or two tell whether the term matches at all, and when it does not,
    one more reads the tickets whose subject it may be a misspelling of."""
    text = search_text_clean(text)
    if not text:
        return tickets
    if TICKET_NUMBER.match(text):
        return tickets.filter(number=text.upper())
    match = Q(search=_search_query(text))
    if NUMBER_FRAGMENT.match(text):
        # Case-sensitive LIKE on the upper-cased fragment: the trigram index serves LIKE on
        # the column itself, not UPPER(number) as icontains would write it.
        match |= Q(number__contains=text.upper())
    requester_ids = _requester_ids_named(text)
    if requester_ids:
        match |= Q(requester_id__in=requester_ids)
    matches = tickets.filter(match)
    # A common word is almost always among the newest tickets: looking there first costs a
    # few milliseconds, where asking the GIN index builds a bitmap of every ticket with it.
    if _matches_among_newest(tickets, match) or _any_row(matches):
        return matches
    return _typo_matches(tickets, text)


def _matches_among_newest(tickets: QuerySet[Ticket], match: Q) -> bool:
    """Whether one of the newest RECENT_PROBE of `tickets` matches `match` (which reads the
    ticket's own columns only).

    Those rows are read along the date index into a materialized CTE and tested one by one:
    a couple of milliseconds, match or not. Given `pk IN (newest)` instead, the planner asks
    the text index for every ticket with the words and intersects: 20 ms for a phrase whose
    words are in thousands of a requester's tickets, even when none of the newest has it.
    """
    newest = tickets.order_by("-created_at", "-id").values(*_MATCHED_COLUMNS)[:RECENT_PROBE]
    newest_sql, newest_params = newest.query.sql_with_params()
    test = Ticket.objects.filter(match).query
    db = connections[tickets.db]
    where_sql, where_params = test.get_compiler(connection=db).compile(test.where)
    table = Ticket._meta.db_table
    with db.cursor() as cursor:
        cursor.execute(
            f"WITH newest AS MATERIALIZED ({newest_sql}) "
            f'SELECT EXISTS (SELECT 1 FROM newest AS "{table}" WHERE {where_sql})',
            [*newest_params, *where_params],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


# The columns a search term is matched on (ticket_list_matching), as the probe's CTE names them.
_MATCHED_COLUMNS = ("search", "number", "requester_id")


def _any_row(tickets: QuerySet[Ticket]) -> bool:
    """Whether `tickets` has a row, planned as if every row were wanted.

    Not EXISTS or LIMIT 1 (DESIGN §9): for a word the statistics do not know, the planner
    expects a row early in a sequential scan (or a walk of the date index) and reads the
    whole table when no ticket has the word (0.4 s and 5 s at a million). Planned without
    a limit, a rare word goes to the GIN index and a common one to a scan that stops at its
    first row, because the CTE hands rows over one at a time.
    """
    sql, params = tickets.order_by().values("pk").query.sql_with_params()
    with connections[tickets.db].cursor() as cursor:
        cursor.execute(
            f"WITH found AS MATERIALIZED ({sql}) SELECT EXISTS (SELECT 1 FROM found)", params
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _requester_ids_named(text: str) -> list[int]:
    if len(text) < REQUESTER_MIN_LENGTH:
        return []
    return list(
        User.objects.filter(Q(display_name__icontains=text) | Q(email__icontains=text))
        .order_by()
        .values_list("id", flat=True)[:REQUESTER_MATCHES]
    )


def _typo_matches(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    # `subject %> term` is served by the trigram index only at pg_trgm's word-similarity
    # threshold, a per-connection setting. Only the typo searches use the operator (here and
    # in knowledge, at its own value), and each sets the threshold right before its query.
    word_similarity_threshold(tickets, TYPO_MIN_SIMILARITY)
    # Unordered and LIMITed: the bitmap scan stops after TYPO_CANDIDATES similar subjects.
    # Read here, once: a LIMIT without ORDER BY may pick other rows each time it runs, and
    # the relevance sort would run it twice.
    candidates = list(
        tickets.filter(short_description__trigram_word_similar=text)
        .order_by()
        .values_list("pk", flat=True)[:TYPO_CANDIDATES]
    )
    return tickets.filter(pk__in=candidates)


def ticket_list_by_relevance(*, tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Matches of `text` (as ticket_list_matching narrowed `tickets`) best first: the subject
    weighs more than the description, ties go to the newest. Only the newest RANK_WINDOW
    matches are ranked, so a common word costs what a rare one does; sorting by date
    reaches every match."""
    window = tickets.order_by("-created_at", "-id").values("pk")[:RANK_WINDOW]
    # F("search"), the stored weighted vector: given the bare field name, SearchRank would
    # build an unweighted vector of it and the weights would be lost (DESIGN §9).
    return (
        tickets.filter(pk__in=Subquery(window))
        .annotate(rank=SearchRank(F("search"), _search_query(search_text_clean(text))))
        .order_by("-rank", "-created_at", "-id")
    )
