"""The flask-smorest `Api`, adapted so the OpenAPI document matches what the service returns.

- Errors are `application/problem+json` (`ProblemSchema`), registered once as response
  components named after the status (`NOT_FOUND`, `UNPROCESSABLE_CONTENT`, ...).
- Responses every operation of a kind can return are added in one pass over the document
  (`complete_document`), so no operation forgets them: 500 everywhere; on GET the strong
  `ETag`, `If-None-Match` and 304; on operations with path parameters 404; on operations with a
  body 400, 413, 415 and 422; on operations with query parameters 400 and 422.
"""

from __future__ import annotations

import copy
import http
from typing import Any

import flask
from flask_smorest import Api as SmorestApi
from flask_smorest.utils import prepare_response

from schemas.common import ProblemSchema

from ..errors import PROBLEM_MIMETYPE

ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428, 429, 500, 503)


def status_ref(status: int) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{http.HTTPStatus(status).name}"}


class Api(SmorestApi):
    ERROR_SCHEMA = ProblemSchema
    # Errors are listed per status code, never as an undocumented `default`.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        # The application registers its own handlers (app.errors) for every error.
        return None

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.header(
            "RetryAfter", {"description": "Seconds to wait before retrying",
                           "schema": {"type": "integer"}}
        )
        self.spec.components.header(
            "ETag", {"description": "Strong entity tag of the representation",
                     "schema": {"type": "string"}}
        )
        self.spec.components.parameter(
            "IfNoneMatch",
            "header",
            {
                "name": "If-None-Match",
                "description": "Entity tags; a match answers 304 Not Modified",
                "schema": {"type": "string"},
                "required": False,
            },
        )
        # Make the lazily registered components that the completion step uses concrete.
        for status in ERROR_STATUSES + (304,):
            self.spec.components.get_ref("response", http.HTTPStatus(status).name)

    def openapi_document(self) -> dict[str, Any]:
        return complete_document(
            self.spec.to_dict(), page_size_max=flask.current_app.config["PAGE_SIZE_MAX"]
        )

    def _openapi_json(self):  # type: ignore[override]
        return flask.current_app.response_class(
            flask.json.dumps(self.openapi_document(), indent=2, sort_keys=False),
            mimetype="application/json",
        )


def _ensure(responses: dict[str, Any], status: int) -> None:
    responses.setdefault(str(status), status_ref(status))


RATE_LIMITED = {
    "description": "Too many requests for this token or client address",
    "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def complete_document(doc: dict[str, Any], page_size_max: int | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for path, item in doc.get("paths", {}).items():
        for op in item.values():
            for param in op.get("parameters", []) if isinstance(op, dict) else []:
                if page_size_max and param.get("in") == "query" and (
                    param.get("name") == "page_size"
                ):
                    param["schema"]["maximum"] = page_size_max
        path_params = [p for p in item.get("parameters", []) if p.get("in") == "path"]
        for method, op in item.items():
            if method not in {"get", "put", "post", "delete", "patch", "head"}:
                continue
            responses = op.setdefault("responses", {})
            # flask-smorest keys responses by int or str depending on the decorator.
            for key in list(responses):
                if not isinstance(key, str):
                    responses[str(key)] = responses.pop(key)
            params = op.get("parameters", [])
            has_path = bool(path_params) or any(p.get("in") == "path" for p in params) or (
                "{" in path
            )
            has_query = any(p.get("in") == "query" for p in params)
            if has_path:
                _ensure(responses, 400)  # control characters in the path
                _ensure(responses, 404)
            if "requestBody" in op:
                for status in (400, 413, 415, 422):
                    _ensure(responses, status)
            if has_query:
                for status in (400, 422):
                    _ensure(responses, status)
            also = op.pop("x-also-content", None)
            if also:
                # The 200 response in further media types (CSV, HTML), same information.
                ok = responses["200"]
                ok["content"].update(also)
                ok.setdefault("headers", {})["Content-Disposition"] = {
                    "description": "For documents: attachment with a file name",
                    "schema": {"type": "string"},
                }
            if op.get("security"):
                _ensure(responses, 401)
                _ensure(responses, 403)
            if method == "get":
                _ensure(responses, 304)
                for status, resp in responses.items():
                    if status.startswith("2") and "$ref" not in resp:
                        resp.setdefault("headers", {})["ETag"] = {
                            "$ref": "#/components/headers/ETag"
                        }
                ref = {"$ref": "#/components/parameters/IfNoneMatch"}
                if ref not in params:
                    op["parameters"] = [*params, ref]
            if path.startswith("/api/"):
                responses.setdefault("429", RATE_LIMITED)
            _ensure(responses, 500)
            op["responses"] = dict(sorted(responses.items()))
    return doc
