"""Summaries are bounded documents, and rendering them never holds the API: the text budget
on the largest report a state can submit, the render slots, the memory of failed renders,
the bounded PDF cache, and a renderer that dies with its owner."""

from __future__ import annotations

import json

import pytest

from app.services import summary_budget
from tests.helpers import auth, worst_case_report
from tests.test_summaries import pdf_pages


@pytest.fixture()
def panel(make_token):
    return make_token("panel")


@pytest.fixture()
def largest_report(client, make_token):
    """The largest report validation accepts, submitted by Japan's reporter on 2270: 15
    entries, every text field at its limit, evidence items up to the 1 MiB body limit."""
    obligations = client.get("/api/v1/resolutions/2270").get_json()["obligations"]
    body = worst_case_report(obligations, "JPN", 2270)
    data = json.dumps(body)
    assert len(data.encode()) > 1_000_000
    r = client.post("/api/v1/reports", data=data, content_type="application/json",
                    headers=auth(make_token("reporter", "JPN")))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_the_largest_report_gives_a_bounded_profile(client, panel, largest_report):
    address = f"/api/v1/reports/{largest_report['id']}/versions/1"
    html = client.get("/api/v1/summaries/states/JPN.html", headers=auth(panel))
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    assert len(page) < summary_budget.DOCUMENT_CHARS * 2
    assert ("Shortened: legal basis, 4,000 characters in full; measures, 20,000 characters in "
            "full; justification, 10,000 characters in full; notes, 20,000 characters in full; "
            "evidence titles or references") in page
    assert f"the whole text is at {address}" in page
    assert "Not quoted here: " in page  # the document budget runs out before the last entry

    pdf = client.get("/api/v1/summaries/states/JPN.pdf", headers=auth(panel))
    assert pdf.status_code == 200, pdf.get_json()
    text = " ".join(pdf_pages(pdf.data))
    assert "Shortened: legal basis, 4,000 characters in full" in text
    assert "measures, 20,000 characters in full" in text
    assert f"the whole text is at {address}" in text
    assert "Not quoted here: " in text
