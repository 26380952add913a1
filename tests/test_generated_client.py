"""The OpenAPI document generates a working client.

A client is generated with openapi-python-client from `/api/v1/openapi.json` (once per run,
into a temporary folder), and a national authority's whole flow runs through the generated
code against the application on a real local server: catalogue, validate, submit with an
Idempotency-Key, replay, amend with If-Match, read score and versions, and a refused read
of another state's report. Results are read through the generated types, so a document that
generates types which crash on real responses fails here.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import threading

import pytest
from werkzeug.serving import make_server

PACKAGE = "compliance_api_client"


@pytest.fixture(scope="session")
def generated(app, tmp_path_factory):
    """The generated client package, imported."""
    folder = tmp_path_factory.mktemp("generated")
    document = folder / "openapi.json"
    document.write_text(json.dumps(app.test_client().get("/api/v1/openapi.json").get_json()))
    config = folder / "config.json"
    # No formatter is needed to import the code; PDFs are read as bytes (the generator knows
    # only JSON, text and application/octet-stream).
    config.write_text(json.dumps({
        "post_hooks": [],
        "content_type_overrides": {"application/pdf": "application/octet-stream"},
    }))
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(document),
         "--meta", "none",
         "--output-path", str(folder / PACKAGE), "--config", str(config)],
        capture_output=True, text=True, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Any warning means part of the document could not be turned into code.
    assert "Warning" not in output and "Unable to" not in output, output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture()
def base_url(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(5)


def _module(package, name):
    return importlib.import_module(f"{package.__name__}.{name}")


def test_a_national_authority_runs_its_whole_flow_through_the_generated_client(
    generated, base_url, make_token
):
    models = _module(generated, "models")
    api = lambda name: _module(generated, f"api.{name}")  # noqa: E731
    client_module = _module(generated, "client")
    anonymous = client_module.Client(base_url=base_url, raise_on_unexpected_status=True)
    france = client_module.AuthenticatedClient(
        base_url=base_url, token=make_token("reporter", "FRA"), raise_on_unexpected_status=True
    )
    germany = client_module.AuthenticatedClient(
        base_url=base_url, token=make_token("reporter", "DEU"), raise_on_unexpected_status=True
    )

    # The catalogue, without a token.
    resolutions = api("catalogue.list_resolutions").sync(client=anonymous, page_size=100)
    assert isinstance(resolutions, models.ResolutionPage)
    assert 2397 in [r.number for r in resolutions.items]
    resolution = api("catalogue.get_resolution").sync(number=2397, client=anonymous)
    assert isinstance(resolution, models.ResolutionDetail)
    codes = [o.code for o in resolution.obligations]
    assert len(codes) == 8

    def entry(code, **fields):
        return models.EntryIn(
            obligation=code, status=models.EntryInStatus.IMPLEMENTED,
            legal_basis="Sanctions Act 2017, section 4",
            competent_authority="Customs and Border Service",
            measures="Licensing, cargo screening and inspections at all ports.",
            enforcement=models.Enforcement(inspections=12, seizures=1, designations=0,
                                           violations_reported=0),
            evidence=[models.Evidence(title="Official Gazette", reference="OG 2018/12")],
            **fields,
        )

    entries = [entry(code) for code in codes[:-1]]
    # An entry without figures: `enforcement` is null in every answer.
    entries.append(models.EntryIn(
        obligation=codes[-1], status=models.EntryInStatus.NOT_APPLICABLE,
        justification="No such trade exists with the DPRK.", enforcement=None,
    ))
    report = models.ReportIn(state="FRA", resolution=2397, language="fr",
                             reference="S/AC.49/2018/12", entries=entries)

    # Validate first: nothing stored, the score it would get.
    checked = api("reports.validate_report").sync(client=france, body=report)
    assert isinstance(checked, models.ValidationResult)
    assert checked.valid is True and checked.errors == []
    assert isinstance(checked.score, models.Score) and checked.score.completeness == 100.0
    broken = models.ReportIn(state="FRA", resolution=2397, language="fr", entries=[
        models.EntryIn(obligation=codes[0], status=models.EntryInStatus.NOT_APPLICABLE)
    ])
    refused = api("reports.validate_report").sync(client=france, body=broken)
    assert refused.valid is False and refused.score is None
    assert isinstance(refused.errors[0], models.ProblemItem)
    assert "/entries/0/justification" in [e.pointer for e in refused.errors]

    # Submit with an Idempotency-Key, then replay it.
    submit = api("reports.submit_report")
    first = submit.sync_detailed(client=france, body=report, idempotency_key="fra-2397-1")
    assert first.status_code == 201
    created = first.parsed
    assert isinstance(created, models.ReportOut)
    assert created.version == 1 and created.completeness == 100.0
    assert first.headers["Location"] == f"/api/v1/reports/{created.id}"
    assert "Idempotent-Replayed" not in first.headers
    replay = submit.sync_detailed(client=france, body=report, idempotency_key="fra-2397-1")
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.parsed.id == created.id and replay.parsed.version == 1
    read = api("reports.get_report").sync(report_id=created.id, client=france)
    assert isinstance(read, models.ReportOut)
    assert read.entries[-1].enforcement is None
    assert isinstance(read.entries[0].enforcement, models.EnforcementOut)
    assert read.entries[0].enforcement.inspections == 12

    # Amend with If-Match: a new version; a stale tag is refused.
    amend = api("reports.amend_report")
    report.reference = "S/AC.49/2018/12/Rev.1"
    amended = amend.sync_detailed(report_id=created.id, client=france, body=report,
                                  if_match=first.headers["ETag"])
    assert amended.status_code == 200
    assert amended.parsed.version == 2 and amended.parsed.reference == "S/AC.49/2018/12/Rev.1"
    stale = amend.sync_detailed(report_id=created.id, client=france, body=report,
                                if_match=first.headers["ETag"])
    assert stale.status_code == 412 and isinstance(stale.parsed, models.Problem)

    # Score and versions.
    score = api("reports.get_report_score").sync(report_id=created.id, client=france)
    assert isinstance(score, models.Score)
    assert score.completeness == 100.0 and score.rating == models.ScoreRating.COMPLETE
    assert len(score.obligations) == 8 and score.unaddressed == []
    assert all(isinstance(o, models.ObligationScore) for o in score.obligations)
    versions = api("reports.list_report_versions").sync(report_id=created.id, client=france)
    assert isinstance(versions, models.VersionList)
    assert versions.total == 2 and [v.version for v in versions.items] == [1, 2]
    first_version = api("reports.get_report_version").sync(report_id=created.id, number=1,
                                                           client=france)
    assert first_version.document["reference"] == "S/AC.49/2018/12"
    listing = api("reports.list_reports").sync(client=france, state="FRA")
    assert isinstance(listing, models.ReportPage) and listing.total == 1

    # Another state's report does not exist for Germany's authority.
    hidden = api("reports.get_report").sync_detailed(report_id=created.id, client=germany)
    assert hidden.status_code == 404
    assert isinstance(hidden.parsed, models.Problem) and hidden.parsed.status == 404
    hidden_list = api("reports.list_reports").sync_detailed(client=germany, state="FRA")
    assert hidden_list.status_code == 404
    assert hidden_list.parsed.errors[0].pointer == "state"

    # The state's own compliance profile and summary; another state's do not exist for it.
    profile = api("compliance.get_state_compliance").sync(iso3="FRA", client=france)
    assert isinstance(profile, models.StateProfile) and profile.state == "FRA"
    assert {row.resolution: row.rating for row in profile.items}[2397] == "complete"
    summary = api("summaries.get_state_summary")
    document = summary.sync(iso3="FRA", fmt=models.GetStateSummaryFmt.HTML, client=france)
    assert b"<html" in document.payload.read().lower()
    for call in (
        lambda: api("compliance.get_state_compliance").sync_detailed(iso3="FRA", client=germany),
        lambda: summary.sync_detailed(iso3="FRA", fmt=models.GetStateSummaryFmt.PDF,
                                      client=germany),
    ):
        refused = call()
        assert refused.status_code == 404 and refused.parsed.status == 404

    # Panel staff page through the matrix with the same generated code.
    panel = client_module.AuthenticatedClient(
        base_url=base_url, token=make_token("panel"), raise_on_unexpected_status=True
    )
    matrix = api("compliance.get_compliance_matrix")
    page = matrix.sync(client=panel, resolution=2397, page=4, page_size=50)
    assert isinstance(page, models.Matrix)
    assert (page.total, page.page, page.page_size, len(page.items)) == (193, 4, 50, 43)
    whole = matrix.sync(client=panel, resolution=2397)
    unset = _module(generated, "types").Unset
    assert len(whole.items) == 193 and isinstance(whole.page, unset)
    fra_row = next(row for row in whole.items if row.state == "FRA")
    assert fra_row.report_id == created.id and fra_row.completeness == 100.0
