"""The API's JSON parser (DEFAULT_PARSER_CLASSES).

Its own module, importing nothing of rest_framework.views: DRF reads DEFAULT_PARSER_CLASSES
while it defines APIView, so a parser next to the exception handler would import itself.
"""

import codecs
import json
import math

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No record of ours nests deeper than a catalog order's answers; a body nested deeper than
# this is refused before any serializer (or PostgreSQL's jsonb) has to walk it.
MAX_JSON_DEPTH = 32


class _RefusedNumber(ValueError):
    pass


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RefusedNumber(f"The number {text} is too large to store; send a smaller one.")
    return value


def _refuse_constant(name: str) -> float:
    raise _RefusedNumber(f"{name} is not a number this API accepts; send a finite number.")


def _depth_within(value: object, limit: int) -> bool:
    """Walks the parsed body without recursion, so a deep body cannot exhaust the stack."""
    todo: list[tuple[object, int]] = [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            todo.extend((child, depth + 1) for child in children)
    return True


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with 400 what the standard library would accept and the
    database or the serializers cannot hold: NaN and Infinity, numbers beyond a float
    (`1e400`), and nesting deeper than MAX_JSON_DEPTH (which would also exhaust Python's
    recursion limit)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        too_deep = ParseError(
            f"The JSON is nested too deeply: at most {MAX_JSON_DEPTH} levels are accepted."
        )
        try:
            data = json.load(
                codecs.getreader(encoding)(stream),
                parse_float=_finite_float,
                parse_constant=_refuse_constant,
            )
        except RecursionError as exc:
            raise too_deep from exc
        except _RefusedNumber as exc:
            raise ParseError(str(exc)) from exc
        except ValueError as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from exc
        if not _depth_within(data, MAX_JSON_DEPTH):
            raise too_deep
        return data
