"""Walks over the CI relations: what an outage of a CI reaches, and what a CI needs.

Every relation reads "source <kind> target". Impact — an outage travelling from the CI that
failed to the CIs that need it — is carried by three kinds, and not by the fourth:

- `depends on` and `runs on`: the source needs the target (`crm-app depends on DB-CLUSTER-2`:
  when the cluster fails, crm-app fails);
- `is part of`: the whole needs its parts (`db-node-1 is part of DB-CLUSTER-2`: a failing node
  degrades the cluster), the same way a service is built from its CIs (`ConfigurationItem.
  service`);
- `connects to` carries nothing: two systems that exchange data (a link drawn for the map)
  do not fail together — a mail gateway connected to a spam filter keeps delivering mail.

"Downstream" of a CI are the CIs that need it, transitively: what an outage of it reaches.
"Upstream" are the CIs it needs, transitively: where the cause of its trouble may be.

Each walk is one SQL statement (a recursive CTE), however deep: never one query per level. A
node is kept at every depth it is reached at most once (`UNION`, not `UNION ALL`), so a cycle
ends at the depth limit and a diamond does not multiply rows; the result names each CI once,
at its shortest distance. The CIs the walk starts from are never in its result, even when a
cycle leads back to them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.db import connection

from itsm.cmdb.choices import RelationKind

Direction = Literal["downstream", "upstream"]

MAX_DEPTH = 6
# Kinds read "source needs target", and kinds read "target needs source".
SOURCE_NEEDS_TARGET = (RelationKind.DEPENDS_ON, RelationKind.RUNS_ON)
TARGET_NEEDS_SOURCE = (RelationKind.PART_OF,)
IMPACT_KINDS = frozenset((*SOURCE_NEEDS_TARGET, *TARGET_NEEDS_SOURCE))

# One step of a walk from the CI `w.ci_id`, over every impact-carrying relation, as a LATERAL
# subquery: each branch is an index scan per CI reached (source: the unique constraint's
# index; target: ci_relation_target), never a scan of the whole relation table per level.
_SOURCE_NEEDS = ", ".join(f"'{kind.value}'" for kind in SOURCE_NEEDS_TARGET)
_TARGET_NEEDS = ", ".join(f"'{kind.value}'" for kind in TARGET_NEEDS_SOURCE)
_STEP = {
    # To the CIs that need w: sources of "needs" kinds pointing at it, wholes it is part of.
    "downstream": f"""
        SELECT r.source_id FROM cmdb_cirelation r
         WHERE r.target_id = w.ci_id AND r.kind IN ({_SOURCE_NEEDS})
        UNION ALL
        SELECT r.target_id FROM cmdb_cirelation r
         WHERE r.source_id = w.ci_id AND r.kind IN ({_TARGET_NEEDS})
    """,
    # To the CIs w needs: targets of its "needs" kinds, the parts it is made of.
    "upstream": f"""
        SELECT r.target_id FROM cmdb_cirelation r
         WHERE r.source_id = w.ci_id AND r.kind IN ({_SOURCE_NEEDS})
        UNION ALL
        SELECT r.source_id FROM cmdb_cirelation r
         WHERE r.target_id = w.ci_id AND r.kind IN ({_TARGET_NEEDS})
    """,
}


def walk_sql(
    *, start: Sequence[int], direction: Direction, max_depth: int = MAX_DEPTH
) -> tuple[str, list[Any]]:
    """The walk as SQL with its params, one row (ci_id, depth) per CI reached (start CIs
    left out), for use as a subquery (`ci_id__in=RawSQL(*walk_sql(...))` takes its first
    column through `walk_ids_sql`) or on its own."""
    sql = f"""
        WITH RECURSIVE walk(ci_id, depth) AS (
            SELECT unnest(%s::bigint[]), 0
          UNION
            SELECT step.ci_id, w.depth + 1
              FROM walk w CROSS JOIN LATERAL ({_STEP[direction]}) step(ci_id)
             WHERE w.depth < %s
        )
        SELECT ci_id, MIN(depth) AS depth FROM walk
         WHERE NOT (ci_id = ANY(%s::bigint[]))
         GROUP BY ci_id
    """  # The interpolated parts are constants of this module.
    return sql, [list(start), max_depth, list(start)]


def walk_ids_sql(
    *, start: Sequence[int], direction: Direction, max_depth: int = MAX_DEPTH
) -> tuple[str, list[Any]]:
    """The ids of the CIs a walk reaches, as a subquery: `ci_id__in=RawSQL(*walk_ids_sql(…))`."""
    sql, params = walk_sql(start=start, direction=direction, max_depth=max_depth)
    return f"SELECT ci_id FROM ({sql}) reached", params


@dataclass(frozen=True)
class Reached:
    """A CI a walk reached, `depth` relations away from the nearest start CI."""

    ci_id: int
    name: str
    ci_type: str
    status: str
    depth: int
    service_id: int | None
    service_name: str | None


@dataclass(frozen=True)
class Walk:
    cis: tuple[Reached, ...]
    # The services of the reached CIs, and of the start CIs (an outage of a CI reaches its own
    # service first): (id, name) by name.
    services: tuple[tuple[int, str], ...]

    @property
    def service_count(self) -> int:
        return len(self.services)


def walk(*, start: Iterable[int], direction: Direction, max_depth: int = MAX_DEPTH) -> Walk:
    """The CIs reached from `start` (nearest first, then by name) and their services. One
    query."""
    ids = sorted(set(start))
    if not ids:
        return Walk(cis=(), services=())
    sql, params = walk_sql(start=ids, direction=direction, max_depth=max_depth)
    query = f"""
        WITH reached AS ({sql})
        SELECT ci.id, ci.name, ci.ci_type, ci.status, reached.depth, s.id, s.name
          FROM (SELECT ci_id, depth FROM reached
                UNION ALL SELECT unnest(%s::bigint[]), 0) reached
          JOIN cmdb_configurationitem ci ON ci.id = reached.ci_id
          LEFT JOIN cmdb_service s ON s.id = ci.service_id
         ORDER BY reached.depth, ci.name
    """
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, ids])
        rows = cursor.fetchall()
    cis = tuple(Reached(*row) for row in rows if row[4] > 0)
    services = {(row[5], row[6]) for row in rows if row[5] is not None}
    if direction == "upstream":
        # What a CI needs does not include the services built on it.
        services = {(row[5], row[6]) for row in rows if row[5] is not None and row[4] > 0}
    return Walk(cis=cis, services=tuple(sorted(services, key=lambda s: (s[1], s[0]))))


def downstream(*, start: Iterable[int], max_depth: int = MAX_DEPTH) -> Walk:
    """What an outage of the `start` CIs reaches: the CIs that need them and their services."""
    return walk(start=start, direction="downstream", max_depth=max_depth)


def upstream(*, start: Iterable[int], max_depth: int = MAX_DEPTH) -> Walk:
    """What the `start` CIs need, transitively: where the cause of their trouble may be."""
    return walk(start=start, direction="upstream", max_depth=max_depth)
