"""Querysets whose SQL Django builds once per process, then runs with new values.

Django turns a queryset into SQL anew each time it is evaluated: cloning the query, resolving
every filter and naming every selected column. For the narrow reads of a busy page that is
most of the cost: the ticket page's comment read spent 0.8 ms of Python building SQL that
PostgreSQL answered in 0.1 ms, and the page makes a dozen such reads.

`compiled_once` keeps the built SQL of a queryset-building function and only swaps in the
values of each call:

    @compiled_once
    def _open_tickets_of(requester_id: int, ticket_id: int) -> QuerySet[Ticket]:
        return Ticket.objects.filter(requester_id=requester_id).exclude(pk=ticket_id)[:5]

    _open_tickets_of(10, 7405)   # a list of Ticket, as list(queryset) would give

The function is called once, with stand-in values, and must build the same SQL whatever
the values are: arguments are plain ints or strings that reach the SQL as they are (no
`None`, which would turn `= %s` into `IS NULL`; no `.upper()` or `icontains` on them, which
compiling catches because the stand-in is then missing from the parameters). Model rows
(with `select_related` and `prefetch_related`) and `values_list` rows are supported.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model, QuerySet, prefetch_related_objects
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

# Stand-ins far from any real primary key or text, so a parameter equal to one is the
# argument itself.
_INT_STAND_IN = -(2**62)
_STR_STAND_IN = "\x00compiled-argument-{}\x00"


@dataclass(frozen=True)
class _Argument:
    index: int


@dataclass
class _Compiled:
    sql: str
    params: tuple[Any, ...]  # constants, and _Argument where a call's value goes
    queryset: Any  # the QuerySet, read for Django's own (private) parts of it
    compiler: Any

    def bind(self, args: tuple[Any, ...]) -> list[Any]:
        return [args[p.index] if isinstance(p, _Argument) else p for p in self.params]


def _stand_in(index: int, value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        raise TypeError(f"compiled_once: argument {index} is {value!r}; pass ints or strings")
    if isinstance(value, int):
        return _INT_STAND_IN - index
    if isinstance(value, str):
        return _STR_STAND_IN.format(index)
    raise TypeError(f"compiled_once: argument {index} is a {type(value).__name__}")


def _compile(build: Callable[..., QuerySet[Any, Any]], args: tuple[Any, ...]) -> _Compiled:
    stand_ins = [_stand_in(i, value) for i, value in enumerate(args)]
    queryset: Any = build(*stand_ins)
    if queryset._iterable_class not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
        raise TypeError("compiled_once: model rows or values_list() only")
    if queryset._known_related_objects:
        raise TypeError("compiled_once: build the queryset from a manager, not a related one")
    compiler = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS)
    sql, raw_params = compiler.as_sql()
    by_stand_in = {stand_in: _Argument(i) for i, stand_in in enumerate(stand_ins)}
    params = tuple(by_stand_in.get(p, p) if isinstance(p, int | str) else p for p in raw_params)
    missing = set(range(len(args))) - {p.index for p in params if isinstance(p, _Argument)}
    if missing:
        raise TypeError(
            f"compiled_once: argument(s) {sorted(missing)} of {build.__qualname__} do not reach "
            "the SQL unchanged"
        )
    return _Compiled(sql=sql, params=params, queryset=queryset, compiler=compiler)


def _model_rows(compiled: _Compiled, db: str, rows: list[tuple]) -> list[Model]:
    """Instances from rows as Django's ModelIterable makes them (select_related included)."""
    compiler = compiled.compiler
    select, klass_info = compiler.select, compiler.klass_info
    first, *_, last = klass_info["select_fields"]
    names = [column[0].target.attname for column in select[first : last + 1]]
    model = klass_info["model"]
    populators = get_related_populators(klass_info, select, db, compiled.queryset._fetch_mode)
    annotations = compiler.annotation_col_map
    objects = []
    for row in rows:
        obj = model.from_db(db, names, row[first : last + 1])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in (annotations or {}).items():
            setattr(obj, name, row[position])
        objects.append(obj)
    lookups = compiled.queryset._prefetch_related_lookups
    if lookups and objects:
        prefetch_related_objects(objects, *lookups)
    return objects


def _run(compiled: _Compiled, args: tuple[Any, ...]) -> list[Any]:
    model = compiled.queryset.model
    db = router.db_for_read(model)
    with connections[db].cursor() as cursor:
        cursor.execute(compiled.sql, compiled.bind(args))
        rows = cursor.fetchall()
    compiler = compiled.compiler
    if compiler.has_extra_select:
        rows = [row[: compiler.col_count] for row in rows]
    rows = list(compiler.results_iter([rows]))
    iterable = compiled.queryset._iterable_class
    if iterable is ModelIterable:
        return _model_rows(compiled, db, rows)
    if iterable is FlatValuesListIterable:
        return [row[0] for row in rows]
    return [tuple(row) for row in rows]


class CompiledQuery[M]:
    def __init__(self, build: Callable[..., QuerySet[Any, M]]):
        self._build = build
        self._compiled: _Compiled | None = None
        functools.update_wrapper(self, build)

    def __call__(self, *args: Any) -> list[M]:
        if any(arg is None for arg in args):
            # Django would have written IS NULL where the built SQL says = %s.
            raise TypeError(
                f"compiled_once: {self._build.__qualname__} got None; pass ints or strings"
            )
        compiled = self._compiled
        if compiled is None:
            # A race between threads compiles twice and keeps either: both are the same.
            compiled = self._compiled = _compile(self._build, args)
        return _run(compiled, args)

    def queryset(self, *args: Any) -> QuerySet[Any, M]:
        """The queryset itself, for a caller that needs to refine it (tests compare both)."""
        return self._build(*args)


def prefetched(instance: Model, name: str, rows: list[Any]) -> None:
    """Hand `rows` to `instance.<name>.all()` as prefetch_related() would, for a relation
    read by a compiled query rather than by a prefetch."""
    related = type(instance)._meta.get_field(name).related_model
    queryset: Any = QuerySet(model=related)
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset


def compiled_once[M](build: Callable[..., QuerySet[Any, M]]) -> CompiledQuery[M]:
    return CompiledQuery(build)


__all__ = ["CompiledQuery", "compiled_once", "prefetched"]
