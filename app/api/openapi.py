"""The flask-smorest `Api`, adapted so the OpenAPI document matches what the service returns.

- Errors are `application/problem+json` (`ProblemSchema`), registered once as response
  components named after the status (`NOT_FOUND`, `UNPROCESSABLE_CONTENT`, ...).
- Responses every operation of a kind can return are added in one pass over the document
  (`complete_document`), so no operation forgets them: 500 everywhere; 429 and 503 (with
  `Retry-After`) on the API; on GET the strong `ETag`, `If-None-Match` and 304; on operations
  with path parameters 404; on operations with a body 400, 413, 415 and 422; on operations
  with query parameters 400 and 422.
- The same pass makes the document generate good clients: a stable `operationId` per
  operation (`OPERATION_IDS`), nullable nested objects and nullable enums as
  `allOf: [{$ref}]` with `nullable: true`, the "not yours" 404s described, and
  `page_size`'s `maximum` taken from the application's `PAGE_SIZE_MAX`.
  `tests/test_generated_client.py` generates a client with openapi-python-client and runs a
  reporter's whole flow through it.
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
        for code in ERROR_STATUSES + (304,):
            self.spec.components.get_ref("response", http.HTTPStatus(code).name)

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


PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
RETRY_AFTER = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}

RATE_LIMITED = {
    "description": "Too many requests for this token or client address",
    "headers": RETRY_AFTER,
    "content": PROBLEM_CONTENT,
}
UNAVAILABLE = {
    "description": "Unavailable for now (the database connection was lost and nothing was "
    "stored, or a summary could not be rendered in time): retry after `Retry-After` seconds",
    "headers": RETRY_AFTER,
    "content": PROBLEM_CONTENT,
}

# Stable, meaningful operation ids: the names of the functions of a generated client.
OPERATION_IDS = {
    ("get", "/api/v1/regimes"): "listRegimes",
    ("get", "/api/v1/resolutions"): "listResolutions",
    ("get", "/api/v1/resolutions/{number}"): "getResolution",
    ("get", "/api/v1/states"): "listStates",
    ("get", "/api/v1/states/{iso3}"): "getState",
    ("post", "/api/v1/reports"): "submitReport",
    ("get", "/api/v1/reports"): "listReports",
    ("post", "/api/v1/reports/validate"): "validateReport",
    ("get", "/api/v1/reports/{report_id}"): "getReport",
    ("put", "/api/v1/reports/{report_id}"): "amendReport",
    ("get", "/api/v1/reports/{report_id}/versions"): "listReportVersions",
    ("get", "/api/v1/reports/{report_id}/versions/{number}"): "getReportVersion",
    ("get", "/api/v1/reports/{report_id}/score"): "getReportScore",
    ("get", "/api/v1/compliance"): "getComplianceMatrix",
    ("get", "/api/v1/compliance/states/{iso3}"): "getStateCompliance",
    ("get", "/api/v1/summaries/resolutions/{number}.{fmt}"): "getResolutionSummary",
    ("get", "/api/v1/summaries/states/{iso3}.{fmt}"): "getStateSummary",
    ("get", "/api/v1/summaries/assets/{filename}"): "getSummaryAsset",
    ("get", "/api/v1/audit"): "listAuditEvents",
}

# "Not yours" is 404 everywhere: what concerns another state does not exist for a reporter.
NOT_YOURS_REPORT = (
    "No such report. Another state's report is invisible to a reporter and gets this same "
    "answer, as does a string that is not a report id"
)
NOT_YOURS_STATE = (
    "No such Member State (or resolution). For a reporter, another state's profile gets "
    "this same answer: a reporter reads its own state's only"
)
NOT_FOUND_DESCRIPTIONS = {
    "/api/v1/reports": "A reporter named another state in `state`: another state's reports "
    "do not exist for it (the problem's `errors` name `state`)",
    "/api/v1/reports/{report_id}": NOT_YOURS_REPORT,
    "/api/v1/reports/{report_id}/versions": NOT_YOURS_REPORT,
    "/api/v1/reports/{report_id}/versions/{number}": NOT_YOURS_REPORT + "; or no such version",
    "/api/v1/reports/{report_id}/score": NOT_YOURS_REPORT,
    "/api/v1/compliance/states/{iso3}": NOT_YOURS_STATE,
    "/api/v1/summaries/states/{iso3}.{fmt}": NOT_YOURS_STATE,
}


def operation_id(method: str, path: str) -> str:
    """The operation's id: from the table, else made from the method and the path."""
    known = OPERATION_IDS.get((method, path))
    if known:
        return known
    words = [w for w in path.replace("/api/v1/", "").replace("{", "").replace("}", "")
             .replace(".", "/").replace("_", "/").split("/") if w]
    return method + "".join(w[:1].upper() + w[1:] for w in words)


def _nullable_refs(node: Any) -> None:
    """apispec writes a nullable nested schema as `anyOf: [{type: object, nullable: true},
    {$ref}]`, which client generators read as a union of an untyped object and the model.
    Write it as OpenAPI 3.0 generators expect: `allOf: [{$ref}]` with `nullable: true`."""
    if isinstance(node, dict):
        variants = node.get("anyOf")
        if isinstance(variants, list) and len(variants) == 2 and (
            {"type": "object", "nullable": True} in variants
        ):
            ref = next((v for v in variants if "$ref" in v), None)
            if ref is not None:
                del node["anyOf"]
                node["allOf"] = [ref]
                node["nullable"] = True
        for value in node.values():
            _nullable_refs(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_refs(value)


def _nullable_enums(doc: dict[str, Any]) -> None:
    """A nullable property with an `enum` (a rating that may be null) becomes a named enum
    schema referenced as `allOf: [{$ref}]` with `nullable: true`: generators read an inline
    nullable enum as an enum that refuses null, or as a union of several enums."""
    schemas = doc.get("components", {}).get("schemas", {})
    for name, schema in list(schemas.items()):
        for prop, spec in (schema.get("properties") or {}).items():
            if not (spec.get("nullable") and spec.get("enum") and "type" in spec):
                continue
            enum_name = name + "".join(w.capitalize() for w in prop.split("_"))
            enum = {"type": spec.pop("type"), "enum": spec.pop("enum")}
            if schemas.get(enum_name, enum) != enum:
                enum_name += "Value"
            schemas[enum_name] = enum
            spec["allOf"] = [{"$ref": f"#/components/schemas/{enum_name}"}]


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
            if path in NOT_FOUND_DESCRIPTIONS and "404" in responses:
                responses["404"] = {"description": NOT_FOUND_DESCRIPTIONS[path],
                                    "content": PROBLEM_CONTENT}
            if path.startswith("/api/"):
                responses.setdefault("429", RATE_LIMITED)
                responses.setdefault("503", UNAVAILABLE)
            _ensure(responses, 500)
            op.setdefault("operationId", operation_id(method, path))
            op["responses"] = dict(sorted(responses.items()))
    _nullable_refs(doc)
    _nullable_enums(doc)
    return doc
