"""Panel findings in the documents the Panel cites: the public and restricted editions of the
state profile and of the resolution summary, read back from the PDFs (and the HTML)."""

from __future__ import annotations

from .helpers import auth
from .test_findings import OBLIGATION, finding_body
from .test_summaries import pdf_pages

PROFILE = "/api/v1/summaries/states/FRA.pdf"
RESOLUTION = "/api/v1/summaries/resolutions/2397.pdf"
REPLY = ("La France conteste cette appréciation : la saisie du 1er février a été déclarée "
         "au titre du paragraphe 7, non du paragraphe 9 (données de test).")


def _text(client, token, path, **query) -> str:
    response = client.get(path, query_string=query, headers=auth(token))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return " ".join(pdf_pages(response.data))


def _status(client, panel, finding, to, **body):
    current = client.get(finding["links"]["self"], headers=auth(panel))
    response = client.post(finding["links"]["status"], json={"to": to, **body},
                           headers=auth(panel, **{"If-Match": current.headers["ETag"]}))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_finding_from_draft_to_publication_in_the_documents(client, panel, france,
                                                              french_report, incident):
    # Before any finding: the public documents, and their ETags.
    before_profile = client.get(PROFILE, headers=auth(panel))
    before_summary = client.get(RESOLUTION, headers=auth(panel))
    assert before_profile.status_code == before_summary.status_code == 200

    created = client.post("/api/v1/findings", headers=auth(panel),
                          json=finding_body(french_report["id"], incident["id"]))
    assert created.status_code == 201, created.get_json()
    finding = created.get_json()

    # A draft changes no public document, byte for byte (the same ETag, the same PDF).
    for path, before in ((PROFILE, before_profile), (RESOLUTION, before_summary)):
        after = client.get(path, headers=auth(panel))
        assert after.headers["ETag"] == before.headers["ETag"]
        assert after.data == before.data
    restricted = _text(client, panel, PROFILE, audience="restricted")
    assert "DRAFT: not shared with the State" in restricted
    assert "France declared no seizure under paragraph 9" in restricted

    # Shared: still absent from the public documents, marked in the restricted ones.
    _status(client, panel, finding, "shared")
    public = _text(client, panel, PROFILE)
    assert "France declared no seizure" not in public
    # The profile covers both regimes: their experts are named together.
    assert "No published finding of the committees' experts about France" in public
    assert "France declared no seizure" not in _text(client, panel, RESOLUTION)
    restricted = _text(client, panel, RESOLUTION, audience="restricted")
    assert "SHARED, AWAITING REPLY" in restricted and "France declared no seizure" in restricted

    # France reads it and replies in French; the Panel publishes (the State has replied).
    assert client.get(finding["links"]["self"], headers=auth(france)).status_code == 200
    replied = client.put(finding["links"]["reply"], json={"text": REPLY, "language": "fr"},
                         headers=auth(france))
    assert replied.status_code in (200, 201), replied.get_json()
    _status(client, panel, finding, "published")

    # The public profile shows the finding under the claim it assesses, with the reply
    # verbatim; the claim and the assessment side by side; completeness unchanged.
    public = _text(client, panel, PROFILE)
    assert "France declared no seizure under paragraph 9" in public
    assert REPLY in public
    assert "Claimed by the State" in public and "Assessed by the Panel" in public
    assert "seizures 0" in public and "contradicted" in public
    assert "DRAFT" not in public and "SHARED, AWAITING REPLY" not in public
    # The reporter's own (public) profile says the same.
    assert REPLY in _text(client, france, PROFILE)
    summary = _text(client, panel, RESOLUTION)
    assert "Contradicted claims" in summary and "France (FRA)" in summary
    assert REPLY in summary
    score = client.get(f"{french_report['links']['self']}/score", headers=auth(panel))
    assert score.get_json()["completeness"] == french_report["completeness"]

    # Withdrawn: gone from every document, public and restricted.
    _status(client, panel, finding, "withdrawn", reason="Superseded by a corrected finding.")
    for token, query in ((panel, {}), (panel, {"audience": "restricted"})):
        for path in (PROFILE, RESOLUTION):
            text = _text(client, token, path, **query)
            assert "France declared no seizure" not in text and REPLY not in text


def test_a_reporter_cannot_ask_for_the_restricted_edition(client, france):
    response = client.get(PROFILE, query_string={"audience": "restricted"},
                          headers=auth(france))
    assert response.status_code == 403
    assert response.get_json()["errors"][0]["pointer"] == "audience"


def test_a_restricted_published_finding_stays_out_of_the_public_edition(
        client, panel, france, french_report, incident):
    created = client.post("/api/v1/findings", headers=auth(panel), json=finding_body(
        french_report["id"], incident["id"], visibility="restricted")).get_json()
    _status(client, panel, created, "shared")
    _status(client, panel, created, "published", reason="Urgent: the Committee meets now.")
    assert "France declared no seizure" not in _text(client, panel, PROFILE)
    assert "France declared no seizure" not in _text(client, panel, RESOLUTION)
    restricted = _text(client, panel, PROFILE, audience="restricted")
    assert "France declared no seizure" in restricted
    assert "before the State's reply was due: Urgent: the Committee meets now." in restricted
    # The matrix of the public edition does not count it either; the panel's matrix does.
    row = next(r for r in client.get("/api/v1/compliance?resolution=2397",
                                     headers=auth(panel)).get_json()["items"]
               if r["state"] == "FRA")
    assert row["contradicted"] == 1 and "contradicted" in row["flags"]


def test_the_html_edition_marks_the_reply_language(client, panel, france, french_report,
                                                   incident):
    finding = client.post("/api/v1/findings", headers=auth(panel), json=finding_body(
        french_report["id"], incident["id"])).get_json()
    _status(client, panel, finding, "shared")
    client.put(finding["links"]["reply"], json={"text": REPLY, "language": "fr"},
               headers=auth(france))
    _status(client, panel, finding, "published")
    html = client.get("/api/v1/summaries/states/FRA.html", headers=auth(panel))
    assert html.status_code == 200
    assert 'class="reply-text" lang="fr" dir="auto"' in html.get_data(as_text=True)
    assert OBLIGATION in html.get_data(as_text=True)
