"""The OpenAPI document: valid OpenAPI 3, problem+json errors, every status documented."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def test_document_validates_as_openapi_3(document):
    assert document["openapi"].startswith("3.")
    validate(document)


def _operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, op


def test_catalogue_operations_are_documented(document):
    paths = set(document["paths"])
    assert {
        "/api/v1/regimes", "/api/v1/resolutions", "/api/v1/resolutions/{number}",
        "/api/v1/states", "/api/v1/states/{iso3}",
    } <= paths


def test_every_error_response_is_problem_json(document):
    responses = document["components"]["responses"]
    for path, method, op in _operations(document):
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            if "$ref" in response:
                content = responses[response["$ref"].rsplit("/", 1)[-1]]["content"]
            else:
                content = response["content"]
            assert list(content) == ["application/problem+json"], (path, method, status)
            assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")


def test_every_get_documents_etag_and_304(document):
    for path, method, op in _operations(document):
        if method != "get":
            continue
        assert "304" in op["responses"], path
        assert "500" in op["responses"], path
        assert "ETag" in op["responses"]["200"]["headers"], path
        assert {"$ref": "#/components/parameters/IfNoneMatch"} in op["parameters"], path


def test_statuses_each_operation_returns_are_listed(document):
    ops = {(p, m): op for p, m, op in _operations(document)}
    detail = ops[("/api/v1/resolutions/{number}", "get")]["responses"]
    assert {"200", "304", "404", "500"} <= set(detail)
    listing = ops[("/api/v1/resolutions", "get")]["responses"]
    assert {"200", "304", "422", "500"} <= set(listing)
    assert "default" not in listing


def test_problem_schema(document):
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    item = document["components"]["schemas"]["ProblemItem"]
    assert set(item["properties"]) == {"pointer", "detail"}


def test_interactive_docs_work_offline(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html
    import re

    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 4
    for asset in assets:
        r = client.get(asset)
        assert r.status_code == 200, asset
        assert len(r.get_data()) > 100, asset
        r.close()


def test_report_operations_document_auth_headers_and_errors(document):
    ops = {(p, m): op for p, m, op in _operations(document)}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    post = ops[("/api/v1/reports", "post")]
    assert post["security"] == [{"bearerAuth": []}]
    assert {"201", "400", "401", "403", "409", "413", "415", "422", "500"} <= set(post["responses"])
    assert "Location" in post["responses"]["201"]["headers"]
    assert any(p.get("name") == "Idempotency-Key" for p in post["parameters"])
    body_schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema["$ref"].endswith("/ReportIn")
    put = ops[("/api/v1/reports/{report_id}", "put")]
    assert {"200", "404", "412", "428"} <= set(put["responses"])
    if_match = [p for p in put["parameters"] if p.get("name") == "If-Match"]
    assert if_match and if_match[0]["required"] is True
    for path in ("/api/v1/reports/{report_id}", "/api/v1/reports/{report_id}/score",
                 "/api/v1/reports/{report_id}/versions",
                 "/api/v1/reports/{report_id}/versions/{number}"):
        assert {"401", "404"} <= set(ops[(path, "get")]["responses"]), path


def test_text_limits_are_documented(document):
    entry = document["components"]["schemas"]["EntryIn"]["properties"]
    assert entry["legal_basis"]["maxLength"] == 4000
    figures = document["components"]["schemas"]["Enforcement"]["properties"]
    assert figures["seizures"]["minimum"] == 0


def test_compliance_is_documented_as_json_and_csv(document):
    ops = {(p, m): op for p, m, op in _operations(document)}
    for path in ("/api/v1/compliance", "/api/v1/compliance/states/{iso3}"):
        op = ops[(path, "get")]
        assert set(op["responses"]["200"]["content"]) == {"application/json", "text/csv"}
        assert {"401", "403", "422"} <= set(op["responses"])
        assert "x-also-content" not in op
    for path in ("/api/v1/summaries/resolutions/{number}.{fmt}",
                 "/api/v1/summaries/states/{iso3}.{fmt}"):
        content = ops[(path, "get")]["responses"]["200"]["content"]
        assert set(content) == {"application/pdf", "text/html"}


def test_every_operation_has_a_stable_operation_id(document):
    from app.api.openapi import OPERATION_IDS

    ids = {(m, p): op.get("operationId") for p, m, op in _operations(document)}
    assert ids == OPERATION_IDS
    assert len(set(ids.values())) == len(ids)
    assert ids[("post", "/api/v1/reports")] == "submitReport"
    assert ids[("put", "/api/v1/reports/{report_id}")] == "amendReport"


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_nullable_objects_are_typed(document):
    for node in _walk(document):
        # An untyped "any object" beside a model makes generators emit unusable unions, and
        # an inline nullable enum an enum that refuses null.
        assert {"type": "object", "nullable": True} not in node.get("anyOf", []), node
        assert not (node.get("nullable") and "enum" in node), node
    schemas = document["components"]["schemas"]
    assert schemas["EntryOut"]["properties"]["enforcement"] == {
        "allOf": [{"$ref": "#/components/schemas/EnforcementOut"}], "nullable": True
    }
    assert schemas["ValidationResult"]["properties"]["score"] == {
        "allOf": [{"$ref": "#/components/schemas/Score"}], "nullable": True
    }


def test_validation_results_and_problems_type_their_errors(document):
    schemas = document["components"]["schemas"]
    item = {"$ref": "#/components/schemas/ProblemItem"}
    assert schemas["Problem"]["properties"]["errors"]["items"] == item
    assert schemas["ValidationResult"]["properties"]["errors"]["items"] == item
    ops = {(p, m): op for p, m, op in _operations(document)}
    validate_body = ops[("/api/v1/reports/validate", "post")]["requestBody"]
    assert validate_body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReportIn"
    }
    assert "valid: false" in validate_body["description"]


def test_retry_headers_are_documented(document):
    ops = {(p, m): op for p, m, op in _operations(document)}
    post = ops[("/api/v1/reports", "post")]["responses"]
    assert "Idempotent-Replayed" in post["201"]["headers"]
    assert "Retry-After" in post["409"]["headers"]
    for (path, method), op in ops.items():
        if path.startswith("/api/"):
            assert "Retry-After" in op["responses"]["503"]["headers"], (path, method)
        for status, response in op["responses"].items():
            if status not in ("409", "429", "503"):
                assert "Retry-After" not in response.get("headers", {}), (path, status)


def test_not_yours_is_documented_as_404(document):
    ops = {(p, m): op for p, m, op in _operations(document)}
    for path, method in [("/api/v1/reports", "get"), ("/api/v1/reports/{report_id}", "get"),
                         ("/api/v1/reports/{report_id}", "put"),
                         ("/api/v1/reports/{report_id}/versions", "get"),
                         ("/api/v1/reports/{report_id}/versions/{number}", "get"),
                         ("/api/v1/reports/{report_id}/score", "get"),
                         ("/api/v1/compliance/states/{iso3}", "get"),
                         ("/api/v1/summaries/states/{iso3}.{fmt}", "get")]:
        description = ops[(path, method)]["responses"]["404"]["description"]
        assert "another state" in description.lower(), (path, method)


def test_the_summary_audience_is_documented(document):
    ops = {(p, m): op for p, m, op in _operations(document)}
    for path in ("/api/v1/summaries/resolutions/{number}.{fmt}",
                 "/api/v1/summaries/states/{iso3}.{fmt}"):
        op = ops[(path, "get")]
        audience = next(p for p in op["parameters"] if p["name"] == "audience")
        assert audience["in"] == "query" and not audience.get("required")
        assert audience["schema"]["enum"] == ["public", "restricted"]
        assert audience["schema"]["default"] == "public"
        assert "restricted" in audience["description"] and "403" in audience["description"]
        assert "403" in op["responses"]
