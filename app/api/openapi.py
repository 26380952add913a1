"""The OpenAPI document: flask-smorest's, completed through public extension points so that it
matches what the service returns.

- Errors are `application/problem+json` (`ProblemSchema`, flask-smorest's `ERROR_SCHEMA`),
  registered as response components named after the status (`NOT_FOUND`,
  `UNPROCESSABLE_ENTITY`, ...) by `register_components`, right after `Api.init_app`. No
  operation documents an undocumented `default` (`DEFAULT_ERROR_RESPONSE_NAME = None`).
- `DocumentPlugin`, an apispec plugin, completes each operation as it is added to the
  document (`complete_operation`), so no operation forgets the responses every operation of
  its kind can return: 500 everywhere; 429 and 503 (with `Retry-After`) on the API; on GET
  the strong `ETag`, `If-None-Match` and 304; on operations with path parameters 404; on
  operations with a body 400, 413, 415 and 422; on operations with query parameters 400
  and 422.
- The same plugin makes the document generate good clients: a stable `operationId` per
  operation (`OPERATION_IDS`), nullable nested objects and nullable enums as
  `allOf: [{$ref}]` with `nullable: true`, the "not yours" 404s described, and
  `page_size`'s `maximum` taken from the application's `PAGE_SIZE_MAX`.
  `tests/test_generated_client.py` generates a client with openapi-python-client and runs a
  reporter's whole flow through it.

flask-smorest serves the document (`/api/v1/openapi.json`, and `flask openapi print`) as
it built it: nothing here overrides its private methods.
"""

from __future__ import annotations

import copy
import http
from typing import Any

from apispec import APISpec, BasePlugin
from flask_smorest import Api as SmorestApi
from werkzeug.exceptions import HTTPException

from schemas.common import ProblemSchema

from ..errors import PROBLEM_MIMETYPE, handle_http_exception

ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428, 429, 500, 503)
METHODS = ("get", "put", "post", "delete", "patch", "head")


def status_ref(status: int) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{http.HTTPStatus(status).name}"}


class Api(SmorestApi):
    ERROR_SCHEMA = ProblemSchema
    # Errors are listed per status code, never as an undocumented `default`.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error: HTTPException):
        """Every HTTP error is problem+json (`app.errors`), whichever handler Flask picks."""
        return handle_http_exception(error)


def register_components(spec: APISpec) -> None:
    """The components the completed operations refer to; call right after `Api.init_app`.

    flask-smorest registers a lazy response per status with its own media type; each is
    registered again (lazily, which replaces it) as problem+json for errors and as a bare
    description otherwise. Those the document refers to are made concrete, in this order.
    """
    for status in http.HTTPStatus:
        response: dict[str, Any] = {"description": status.phrase}
        if status >= 400:
            response["content"] = {PROBLEM_MIMETYPE: {"schema": ProblemSchema}}
        spec.components.response(status.name, response, lazy=True)
    spec.components.header(
        "RetryAfter", {"description": "Seconds to wait before retrying",
                       "schema": {"type": "integer"}}
    )
    spec.components.header(
        "ETag", {"description": "Strong entity tag of the representation",
                 "schema": {"type": "string"}}
    )
    spec.components.parameter(
        "IfNoneMatch",
        "header",
        {
            "name": "If-None-Match",
            "description": "Entity tags; a match answers 304 Not Modified",
            "schema": {"type": "string"},
            "required": False,
        },
    )
    for code in ERROR_STATUSES + (304,):
        spec.components.get_ref("response", http.HTTPStatus(code).name)


class DocumentPlugin(BasePlugin):
    """Completes every operation (`complete_operation`) and every schema (nullable nested
    objects and enums) as apispec adds them to the document.

    A nullable enum becomes a schema component of its own, registered lazily and made
    concrete by `finish` (after the blueprints), so that it follows the schemas that use it.
    """

    def __init__(self, page_size_max: int | None = None) -> None:
        self.page_size_max = page_size_max
        self.enums: dict[str, dict[str, Any]] = {}

    def init_spec(self, spec: APISpec) -> None:
        super().init_spec(spec)
        self.spec = spec

    def schema_helper(self, name: str, definition: dict, **kwargs: Any) -> None:
        _nullable_refs(definition)
        self._nullable_enums(name, definition)

    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **kwargs: Any) -> None:
        for method, operation in (operations or {}).items():
            if method in METHODS and path is not None:
                complete_operation(path, method, operation, self.page_size_max)

    def finish(self) -> None:
        for name in self.enums:
            self.spec.components.get_ref("schema", name)

    def _nullable_enums(self, name: str, schema: dict[str, Any]) -> None:
        """A nullable property with an `enum` (a rating that may be null) becomes a named enum
        schema referenced as `allOf: [{$ref}]` with `nullable: true`: generators read an
        inline nullable enum as an enum that refuses null, or as a union of several enums."""
        for prop, spec in (schema.get("properties") or {}).items():
            if not (spec.get("nullable") and spec.get("enum") and "type" in spec):
                continue
            enum_name = name + "".join(w.capitalize() for w in prop.split("_"))
            enum = {"type": spec.pop("type"), "enum": spec.pop("enum")}
            known = self.enums.get(enum_name) or self.spec.components.schemas.get(enum_name)
            if known is not None and known != enum:
                enum_name += "Value"
            if enum_name not in self.enums:
                self.enums[enum_name] = enum
                self.spec.components.schema(enum_name, enum, lazy=True)
            spec["allOf"] = [{"$ref": f"#/components/schemas/{enum_name}"}]


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
    ("get", "/api/v1/regimes/{code}"): "getRegime",
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
    ("get", "/api/v1/reports/{report_id}/versions/{older}/diff/{newer}"): "getReportVersionDiff",
    ("get", "/api/v1/reports/{report_id}/score"): "getReportScore",
    ("get", "/api/v1/compliance"): "getComplianceMatrix",
    ("get", "/api/v1/compliance/states/{iso3}"): "getStateCompliance",
    ("get", "/api/v1/summaries/resolutions/{number}.{fmt}"): "getResolutionSummary",
    ("get", "/api/v1/summaries/states/{iso3}.{fmt}"): "getStateSummary",
    ("get", "/api/v1/summaries/assets/{filename}"): "getSummaryAsset",
    ("get", "/api/v1/audit"): "listAuditEvents",
    ("get", "/api/v1/states/{iso3}/deadlines"): "getStateDeadlines",
    ("get", "/api/v1/states/{iso3}/deadlines.ics"): "getStateDeadlineCalendar",
    ("post", "/api/v1/incidents"): "recordIncident",
    ("get", "/api/v1/incidents"): "listIncidents",
    ("get", "/api/v1/incidents/{incident_id}"): "getIncident",
    ("put", "/api/v1/incidents/{incident_id}"): "amendIncident",
    ("get", "/api/v1/incidents/{incident_id}/versions"): "listIncidentVersions",
    ("post", "/api/v1/incidents/{incident_id}/acknowledgements"): "acknowledgeIncident",
    ("get", "/api/v1/vessels/{imo}"): "getVessel",
    ("post", "/api/v1/findings"): "recordFinding",
    ("get", "/api/v1/findings"): "listFindings",
    ("get", "/api/v1/findings/{finding_id}"): "getFinding",
    ("put", "/api/v1/findings/{finding_id}"): "amendFinding",
    ("post", "/api/v1/findings/{finding_id}/status"): "changeFindingStatus",
    ("get", "/api/v1/findings/{finding_id}/versions"): "listFindingVersions",
    ("put", "/api/v1/findings/{finding_id}/reply"): "replyToFinding",
    ("get", "/api/v1/findings/{finding_id}/reply/versions"): "listFindingReplyVersions",
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
NOT_YOURS_INCIDENT = (
    "No such incident. A restricted incident that does not name a reporter's State as a "
    "party is invisible to it and gets this same answer, as does a string that is not an "
    "incident id"
)
NOT_YOURS_FINDING = (
    "No such finding. For a reporter, a finding about another State, or one not yet shared "
    "with its State (a draft), does not exist and gets this same answer, as does a string "
    "that is not a finding id"
)
NOT_FOUND_DESCRIPTIONS = {
    "/api/v1/findings/{finding_id}": NOT_YOURS_FINDING,
    "/api/v1/findings/{finding_id}/status": NOT_YOURS_FINDING,
    "/api/v1/findings/{finding_id}/versions": NOT_YOURS_FINDING,
    "/api/v1/findings/{finding_id}/reply": NOT_YOURS_FINDING,
    "/api/v1/findings/{finding_id}/reply/versions": NOT_YOURS_FINDING,
    "/api/v1/incidents/{incident_id}": NOT_YOURS_INCIDENT,
    "/api/v1/incidents/{incident_id}/versions": NOT_YOURS_INCIDENT,
    "/api/v1/incidents/{incident_id}/acknowledgements": NOT_YOURS_INCIDENT,
    "/api/v1/vessels/{imo}": "No incident the caller may read names a vessel with this IMO "
    "number (or it is not an IMO number)",
    "/api/v1/reports": "A reporter named another state in `state`: another state's reports "
    "do not exist for it (the problem's `errors` name `state`)",
    "/api/v1/reports/{report_id}": NOT_YOURS_REPORT,
    "/api/v1/reports/{report_id}/versions": NOT_YOURS_REPORT,
    "/api/v1/reports/{report_id}/versions/{number}": NOT_YOURS_REPORT + "; or no such version",
    "/api/v1/reports/{report_id}/versions/{older}/diff/{newer}":
        NOT_YOURS_REPORT + "; or no such version",
    "/api/v1/reports/{report_id}/score": NOT_YOURS_REPORT,
    "/api/v1/compliance/states/{iso3}": NOT_YOURS_STATE,
    "/api/v1/summaries/states/{iso3}.{fmt}": NOT_YOURS_STATE,
    "/api/v1/states/{iso3}/deadlines": NOT_YOURS_STATE,
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


def complete_operation(path: str, method: str, op: dict[str, Any],
                       page_size_max: int | None = None) -> None:
    """Add to one operation, in place, what every operation of its kind documents."""
    params = op.get("parameters", [])
    # A string names a parameter component (apispec makes it a `$ref`).
    for param in (p for p in params if isinstance(p, dict)):
        if page_size_max and param.get("in") == "query" and param.get("name") == "page_size":
            param["schema"]["maximum"] = page_size_max
    responses = op.setdefault("responses", {})
    # flask-smorest keys responses by int or str depending on the decorator.
    for key in list(responses):
        if not isinstance(key, str):
            responses[str(key)] = responses.pop(key)
    # Path parameters are in the path template, whether documented on the path or here.
    has_path = "{" in path
    has_query = any(isinstance(p, dict) and p.get("in") == "query" for p in params)
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
    security = op.get("security")
    if security:
        _ensure(responses, 401)
        if all(security):
            # A token is required and its role may not be enough; where the operation may
            # also be called without one (`{}` among the requirements), every role may.
            _ensure(responses, 403)
    if method == "get":
        _ensure(responses, 304)
        for status, resp in responses.items():
            if status.startswith("2") and isinstance(resp, dict) and "$ref" not in resp:
                resp.setdefault("headers", {})["ETag"] = {"$ref": "#/components/headers/ETag"}
        if "IfNoneMatch" not in params:
            op["parameters"] = [*params, "IfNoneMatch"]
    if path in NOT_FOUND_DESCRIPTIONS and "404" in responses:
        responses["404"] = {"description": NOT_FOUND_DESCRIPTIONS[path],
                            "content": copy.deepcopy(PROBLEM_CONTENT)}
    if path.startswith("/api/"):
        responses.setdefault("429", copy.deepcopy(RATE_LIMITED))
        responses.setdefault("503", copy.deepcopy(UNAVAILABLE))
    _ensure(responses, 500)
    op.setdefault("operationId", operation_id(method, path))
    op["responses"] = dict(sorted(responses.items()))
    _nullable_refs(op)
