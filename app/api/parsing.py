"""Request bodies: strict JSON, decoded in one place for every endpoint.

`decode_json` is the one decoder: UTF-8 only; no `NaN`, `Infinity` or `-Infinity`; no name
repeated in one object; nesting bounded (by the interpreter's recursion limit); any of these
is 400 `MalformedBody` with the pointer `""`. A well-formed body whose strings (values or
names) hold an unpaired UTF-16 surrogate escape is 422 `UnpairedSurrogates` with a pointer to
each one, so that no such string reaches a schema, the database or a response.

It is used two ways:

- `StrictJSONParser`, the webargs parser of `Blueprint` (`ARGUMENTS_PARSER`): a view that
  declares its body with `@blp.arguments(Schema)` gets it decoded strictly, then loaded by
  the schema (unknown fields are errors; schema errors are 422 with JSON Pointers, see
  `app.errors.webargs_errors`).
- `json_body()`, for the report views, which `@blp.arguments` does not fit: a submission
  or an amendment is checked in two steps that report their errors together (the shape,
  then the meaning against the catalogue, in `services.reports`), the version stores the
  body exactly as received and the idempotency fingerprint hashes it, and
  `POST /reports/validate` takes any JSON and answers 200 with the errors rather than 422.
  Those views read the decoded body with `json_body()` and document it with
  `@blp.doc(requestBody=...)`.

Every blueprint of the API is a `Blueprint` from this module, so that a body declared with
`@blp.arguments` can never be decoded leniently.
"""

from __future__ import annotations

import json
import re
from typing import Any

import flask
import flask_smorest
import marshmallow as ma
from flask import request
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from ..errors import Invalid, MalformedBody, json_pointer

__all__ = ["Blueprint", "MalformedBody", "StrictJSONParser", "UnpairedSurrogates", "json_body"]


class UnpairedSurrogates(Invalid):
    """Well-formed JSON whose strings cannot be stored or sent back: a `\\ud800` escape
    without its pair is valid JSON syntax but no Unicode text."""


SURROGATE_DETAIL = ("Unpaired UTF-16 surrogate escape (such as \\ud800): not a Unicode "
                    "character.")


#: A JSON escape of a UTF-16 surrogate (paired or not); a false match only costs the walk.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the name {key!r} appears twice in one object")
        out[key] = value
    return out


def _unpaired_surrogates(value: Any, path: tuple[Any, ...] = ()) -> list[dict[str, str]]:
    """A `{pointer, detail}` for every string (value or name) that is not valid Unicode."""
    errors: list[dict[str, str]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if not _is_unicode(item):
                errors.append({"pointer": json_pointer(where), "detail": SURROGATE_DETAIL})
        elif isinstance(item, dict):
            for key, child in item.items():
                if not _is_unicode(key):
                    errors.append({"pointer": json_pointer((*where, key)),
                                   "detail": "A member name: " + SURROGATE_DETAIL})
                stack.append((child, (*where, key)))
        elif isinstance(item, list):
            stack.extend((child, (*where, index)) for index, child in enumerate(item))
    return sorted(errors, key=lambda e: e["pointer"])


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def decode_json(raw: bytes) -> Any:
    """`raw` parsed as strict JSON, or `MalformedBody` (400) or `UnpairedSurrogates` (422)."""
    try:
        text = raw.decode("utf-8")
        parsed = json.loads(
            text,
            parse_constant=_no_constants,
            object_pairs_hook=_no_duplicate_keys,
        )
    except UnicodeDecodeError:
        detail = "The body is not valid UTF-8."
    except RecursionError:
        detail = "The body is nested too deeply."
    except ValueError as exc:
        detail = f"The body is not valid JSON: {exc}."
    else:
        # Strict UTF-8 decoding yields no surrogate: one can only come from a `\uD800`-
        # `\uDFFF` escape, so a body without such an escape needs no walk.
        errors = _unpaired_surrogates(parsed) if SURROGATE_ESCAPE.search(text) else []
        if errors:
            raise UnpairedSurrogates(
                "Some strings are not valid Unicode; see errors.", errors=errors
            )
        return parsed
    raise MalformedBody(detail, errors=[{"pointer": "", "detail": detail}])


class StrictJSONParser(FlaskParser):
    """webargs' Flask parser with `decode_json` for the `json` location.

    A request without a JSON media type has no JSON body (`missing`: the schema says what
    is required); a request with a body of another media type never gets here, it is 415
    before any view runs. A JSON body that is empty is malformed (400), as for `json_body`.
    """

    def load_json(self, req: flask.Request, schema: ma.Schema) -> Any:
        if not is_json_request(req):
            return core.missing
        return decode_json(req.get_data(cache=True))


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint, parsing `@blp.arguments` with `StrictJSONParser`."""

    ARGUMENTS_PARSER = StrictJSONParser()


def json_body() -> Any:
    """The request body decoded by `decode_json`, for views that take it whole (see the
    module's docstring): 400 for a body that is not strict JSON (an empty one included),
    422 `UnpairedSurrogates` for strings that are not Unicode."""
    return decode_json(request.get_data(cache=True))
