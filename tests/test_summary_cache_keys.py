"""Summary PDFs found by revision key: a warm request reads counters, not the data; every write
invalidates exactly the documents that show what it changed, and a document is never served
stale.

The renderer is replaced by one that returns the HTML it is given (so the "PDF" says what the
document shows, and renders are counted), and the context builders are counted: a document
"rebuilt" is one whose context was built again for a request.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth import COMMAND_LINE
from app.extensions import db
from app.models import RenderedSummary
from app.rendering import documents
from app.services import incidents as incident_service
from app.services import reports as report_service
from app.services import summaries as service
from app.services import summary_cache
from app.services.authorities import create_authority, revoke_token
from app.services.demo import load_demo, unload_demo

from .helpers import auth, edit_json
from .test_incidents import seizure

URLS = {
    "R2397": "/api/v1/summaries/resolutions/2397.pdf",
    "R2270": "/api/v1/summaries/resolutions/2270.pdf",
    "R1874": "/api/v1/summaries/resolutions/1874.pdf",
    "FRA": "/api/v1/summaries/states/FRA.pdf",
    "DEU": "/api/v1/summaries/states/DEU.pdf",
    "EGY": "/api/v1/summaries/states/EGY.pdf",
    "KHM": "/api/v1/summaries/states/KHM.pdf",
}


class Documents:
    """Requests the documents of `URLS` and says which were built again."""

    def __init__(self, client, token, builds, renders):
        self.client, self.token, self.builds, self.renders = client, token, builds, renders

    def get(self, name: str, audience: str = "public", token: str | None = None):
        return self.client.get(f"{URLS[name]}?audience={audience}",
                               headers=auth(token or self.token))

    def text(self, name: str, audience: str = "public") -> str:
        r = self.get(name, audience)
        assert r.status_code == 200, r.get_json()
        return r.data.decode()

    def around(self, write, names=tuple(URLS), audience: str = "public"):
        """Warm `names`, run `write`, request them again: (the names whose context was built
        again, the texts before, the texts after)."""
        before = {name: self.text(name, audience) for name in names}
        # Warm now: a second request builds nothing.
        self.builds.clear()
        assert {name: self.text(name, audience) for name in names} == before
        assert self.builds == []
        write()
        after = {name: self.text(name, audience) for name in names}
        rebuilt = {name for name in names if (URLS[name], audience) in self.built()}
        return rebuilt, before, after

    def built(self) -> set[tuple[str, str]]:
        return {(URLS[f"R{s}" if k == "resolution" else s], a) for k, s, a in self.builds}


@pytest.fixture()
def docs(client, panel, monkeypatch):
    builds: list[tuple[str, str, str]] = []
    renders: list[int] = []
    resolution_context, state_context = service.resolution_context, service.state_context

    def counted_resolution(session, number, as_of, audience="public"):
        builds.append(("resolution", str(number), audience))
        return resolution_context(session, number, as_of, audience)

    def counted_state(session, iso3, as_of, audience="public", regime=None):
        builds.append(("state", iso3.upper(), audience))
        return state_context(session, iso3, as_of, audience, regime)

    def render(html):
        renders.append(1)
        return b"%PDF-test\n" + html.encode(), 0.01

    monkeypatch.setattr(service, "resolution_context", counted_resolution)
    monkeypatch.setattr(service, "state_context", counted_state)
    monkeypatch.setattr(documents, "render_pdf", render)
    return Documents(client, panel, builds, renders)


def _check(rebuilt, before, after, touched):
    assert rebuilt == set(touched), rebuilt
    for name in before:
        if name not in touched:
            assert after[name] == before[name], name


# --- the warm path -------------------------------------------------------------------------

@pytest.mark.parametrize("memory", [64 << 20, 0])
def test_a_warm_request_builds_nothing_and_renders_nothing(app, docs, submit, monkeypatch,
                                                           memory):
    monkeypatch.setitem(app.config, "RENDER_MEMORY_CACHE_BYTES", memory)
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    first = docs.get("R2397")
    assert first.status_code == 200 and len(docs.builds) == 1 and len(docs.renders) == 1
    for _ in range(3):
        again = docs.get("R2397")
        assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert len(docs.builds) == 1 and len(docs.renders) == 1
    etag = first.headers["ETag"]
    r = docs.client.get(URLS["R2397"], headers=auth(docs.token, **{"If-None-Match": etag}))
    assert r.status_code == 304 and r.headers["ETag"] == etag and len(docs.builds) == 1
    with app.app_context():
        keyed = db.session.scalar(select(func.count()).select_from(RenderedSummary)
                                  .where(RenderedSummary.revision_key.is_not(None)))
        assert keyed == 1


def test_a_document_whose_content_did_not_change_is_found_by_fingerprint(docs, submit):
    """A report received today changes the counters of 2397, not what the summary as of a
    past day shows: its context is built again, but the stored PDF is served (no render),
    and found by the new key afterwards."""
    past = "/api/v1/summaries/resolutions/2397.pdf?as_of=2017-12-31"
    first = docs.client.get(past, headers=auth(docs.token))
    submit("FRA", 2397, "2018-03-01T10:00:00Z")
    docs.builds.clear()
    again = docs.client.get(past, headers=auth(docs.token))
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert len(docs.builds) == 1 and len(docs.renders) == 1
    docs.client.get(past, headers=auth(docs.token))
    assert len(docs.builds) == 1


# --- every write path ----------------------------------------------------------------------

def test_a_report_and_its_amendment_touch_its_resolution_and_state_only(client, admin, docs,
                                                                        report_body):
    created = {}

    def create():
        body = report_body("FRA", 2397, received_at="2018-03-01T10:00:00Z")
        body["entries"] = body["entries"][:3]
        r = client.post("/api/v1/reports", json=body, headers=auth(admin))
        assert r.status_code == 201, r.get_json()
        created.update(r.get_json(), etag=r.headers["ETag"])

    rebuilt, before, after = docs.around(create, ("R2397", "R2270", "FRA", "DEU"))
    _check(rebuilt, before, after, {"R2397", "FRA"})
    assert after["FRA"] != before["FRA"] and after["R2397"] != before["R2397"]

    def amend():
        body = report_body("FRA", 2397, received_at="2018-04-01T10:00:00Z")
        r = client.put(f"/api/v1/reports/{created['id']}", json=body,
                       headers=auth(admin, **{"If-Match": created["etag"]}))
        assert r.status_code == 200, r.get_json()

    rebuilt, before, after = docs.around(amend, ("R2397", "R2270", "FRA", "DEU"))
    _check(rebuilt, before, after, {"R2397", "FRA"})
    assert after["FRA"] != before["FRA"] and after["R2397"] != before["R2397"]


def test_a_backfill_and_a_nil_report_touch_what_they_store(app, client, docs, report_body,
                                                          make_token):
    def backfill():
        with app.app_context():
            report_service.backfill(db.session, COMMAND_LINE, [
                report_body("DEU", 2397, received_at="2018-03-01T10:00:00Z"),
                report_body("DEU", 2397, received_at="2018-05-01T10:00:00Z"),
            ])
            db.session.remove()

    rebuilt, before, after = docs.around(backfill, ("R2397", "R2270", "FRA", "DEU"))
    _check(rebuilt, before, after, {"R2397", "DEU"})
    assert after["DEU"] != before["DEU"]

    egypt = make_token("reporter", "EGY")

    def nil_report():  # on a requirement other than the general report, too
        r = client.post("/api/v1/reports", headers=auth(egypt), json={
            "state": "EGY", "resolution": 2397, "requirement": "2397/R-5-refined",
            "language": "en", "nil": True,
            "justification": "Egypt supplies no refined petroleum products (test data)."})
        assert r.status_code == 201, r.get_json()

    rebuilt, before, after = docs.around(nil_report, ("R2397", "R2270", "FRA", "EGY"))
    _check(rebuilt, before, after, {"R2397", "EGY"})
    assert after["EGY"] != before["EGY"]


def test_an_incident_touches_every_party_and_resolution_old_and_new(client, panel, docs,
                                                                    make_token):
    recorded = {}

    def record():
        r = client.post("/api/v1/incidents", json=seizure(), headers=auth(panel))
        assert r.status_code == 201, r.get_json()
        recorded.update(r.get_json(), etag=r.headers["ETag"])

    names = ("R2397", "R2270", "R1874", "FRA", "DEU", "EGY", "KHM")
    rebuilt, before, after = docs.around(record, names)
    # Parties EGY, PRK, KHM; obligations 1874/9 and 2270/18.
    _check(rebuilt, before, after, {"R2270", "R1874", "EGY", "KHM"})
    assert "Ain Sokhna" not in before["EGY"] and "Ain Sokhna" in after["EGY"]

    def amend():
        # Cambodia is no longer a party, France is; 2270 is no longer engaged, 2397 is.
        body = seizure(parties=[{"state": "EGY", "role": "inspecting_state"},
                                {"state": "PRK", "role": "origin"},
                                {"state": "FRA", "role": "flag_state"}],
                       obligations=["1874/9", "2397/9"], occurred_on="2018-02-01")
        r = client.put(recorded["links"]["self"], json=body,
                       headers=auth(panel, **{"If-Match": recorded["etag"]}))
        assert r.status_code == 200, r.get_json()

    rebuilt, before, after = docs.around(amend, names)
    _check(rebuilt, before, after, {"R2397", "R2270", "R1874", "EGY", "KHM", "FRA"})
    assert "Ain Sokhna" in before["KHM"] and "Ain Sokhna" not in after["KHM"]
    assert "Ain Sokhna" not in before["FRA"] and "Ain Sokhna" in after["FRA"]

    france = make_token("reporter", "FRA")

    def acknowledge():
        r = client.post(recorded["links"]["acknowledgements"], headers=auth(france))
        assert r.status_code == 201, r.get_json()

    rebuilt, before, after = docs.around(acknowledge, names)
    _check(rebuilt, before, after, {"R2397", "R1874", "EGY", "FRA"})
    assert after["FRA"] != before["FRA"]


def test_an_import_touches_every_incident_it_records(app, docs):
    def import_file():
        with app.app_context():
            incident_service.import_records(db.session, COMMAND_LINE, [
                seizure(), seizure(parties=[{"state": "DEU", "role": "inspecting_state"},
                                            {"state": "PRK", "role": "origin"}],
                                   obligations=["2397/9"], occurred_on="2018-02-01")])
            db.session.remove()

    names = ("R2397", "R2270", "R1874", "FRA", "DEU", "EGY", "KHM")
    rebuilt, before, after = docs.around(import_file, names)
    _check(rebuilt, before, after, {"R2397", "R2270", "R1874", "DEU", "EGY", "KHM"})
    assert after["DEU"] != before["DEU"]


def test_a_finding_touches_its_state_and_resolution_at_every_step(client, panel, docs,
                                                                  french_report, incident,
                                                                  france):
    from .test_findings import finding_body

    names = ("R2397", "R2270", "FRA", "DEU")
    made = {}

    def record():
        r = client.post("/api/v1/findings", headers=auth(panel),
                        json=finding_body(french_report["id"], incident["id"]))
        assert r.status_code == 201, r.get_json()
        made.update(r.get_json(), etag=r.headers["ETag"])

    def amend():
        body = finding_body(french_report["id"], incident["id"],
                            text="An amended finding text (test data).")
        del body["state"], body["subject"]
        r = client.put(made["links"]["self"], headers=auth(panel, **{"If-Match": made["etag"]}),
                       json=body)
        assert r.status_code == 200, r.get_json()
        made["etag"] = r.headers["ETag"]

    def status(to, reason=None):
        def run():
            body = {"to": to} if reason is None else {"to": to, "reason": reason}
            r = client.post(made["links"]["status"], json=body,
                            headers=auth(panel, **{"If-Match": made["etag"]}))
            assert r.status_code == 200, r.get_json()
            made["etag"] = r.headers["ETag"]
        return run

    def reply():
        r = client.put(made["links"]["reply"], headers=auth(france),
                       json={"language": "en", "text": "France replies (test data)."})
        assert r.status_code in (200, 201), r.get_json()
        made["etag"] = client.get(made["links"]["self"], headers=auth(panel)).headers["ETag"]

    for write, audience in ((record, "restricted"), (amend, "restricted"),
                            (status("shared"), "restricted"), (reply, "restricted"),
                            (status("published", "Early publication (test data)."), "public")):
        rebuilt, before, after = docs.around(write, names, audience)
        _check(rebuilt, before, after, {"R2397", "FRA"})
        assert after["FRA"] != before["FRA"], write
    assert "France replies (test data)." in after["FRA"]


def test_a_catalogue_change_invalidates_every_document(migrated, data_copy, monkeypatch):
    from app.services.catalogue import load_catalogue

    with migrated.app_context():
        load_catalogue(db.session)
        token = create_authority(db.session, "keys panel", "panel", None).plaintext
        db.session.remove()
    client = migrated.test_client()
    renders = []
    monkeypatch.setattr(documents, "render_pdf",
                        lambda html: (renders.append(1) or b"%PDF-test\n" + html.encode(), 0.01))
    urls = [URLS["R2397"], URLS["R2270"], URLS["FRA"]]
    before = [client.get(u, headers=auth(token)).data for u in urls]
    assert [client.get(u, headers=auth(token)).data for u in urls] == before
    assert len(renders) == 3

    with migrated.app_context():  # an unchanged catalogue changes nothing
        load_catalogue(db.session)
        db.session.remove()
    assert [client.get(u, headers=auth(token)).data for u in urls] == before
    assert len(renders) == 3

    edit_json(data_copy / "member_states.json", lambda d: [
        s.update(name=f"{s['name']} (renamed)") for s in d["states"] if s["iso3"] == "FRA"])
    with migrated.app_context():
        load_catalogue(db.session, data_copy)
        db.session.remove()
    after = [client.get(u, headers=auth(token)).data for u in urls]
    assert len(renders) == 6
    assert all(b"France (renamed)" in a for a in after)


def test_demo_load_and_unload_invalidate_what_they_touch(app, docs):
    def load():
        with app.app_context():
            load_demo(db.session)
            db.session.remove()

    def unload():
        with app.app_context():
            unload_demo(db.session)
            db.session.remove()

    names = ("R2397", "R2270", "FRA", "DEU")
    try:
        rebuilt, empty, loaded = docs.around(load, names)
        assert rebuilt == set(names)
        assert all("DEMO" in loaded[n] and "DEMO" not in empty[n] for n in names)
        rebuilt, _, unloaded = docs.around(unload, names)
        assert rebuilt == set(names)
        assert unloaded == empty
    finally:
        unload()


# --- who asks --------------------------------------------------------------------------------

def test_a_revoked_token_is_refused_on_a_warm_request(app, docs, make_token):
    with app.app_context():
        issued = create_authority(db.session, "keys panel 2", "panel", None)
        db.session.remove()
    assert docs.get("R2270", token=issued.plaintext).status_code == 200
    assert docs.get("R2270", token=issued.plaintext).status_code == 200  # warm
    with app.app_context():
        revoke_token(db.session, issued.public_id)
        db.session.remove()
    r = docs.get("R2270", token=issued.plaintext)
    assert r.status_code == 401 and r.mimetype == "application/problem+json"


def test_restricted_and_public_editions_never_share_an_entry(client, panel, docs,
                                                             make_token):
    r = client.post("/api/v1/incidents", headers=auth(panel),
                    json=seizure(visibility="restricted"))
    assert r.status_code == 201, r.get_json()
    for _ in range(2):  # cold, then warm
        public, restricted = docs.text("EGY", "public"), docs.text("EGY", "restricted")
        assert "Ain Sokhna" not in public and "Ain Sokhna" in restricted
    egypt = make_token("reporter", "EGY")
    mine = docs.get("EGY", token=egypt)
    assert mine.status_code == 200 and b"Ain Sokhna" not in mine.data
    assert docs.get("EGY", "restricted", token=egypt).status_code == 403
    assert len(docs.renders) == 2


def test_a_new_token_or_authority_rebuilds_no_document(app, docs, make_token):
    rebuilt, before, after = docs.around(lambda: make_token("panel"), ("R2270", "EGY"))
    _check(rebuilt, before, after, set())


def test_the_memory_cache_keeps_the_most_recent_within_its_bytes():
    memory = summary_cache.MemoryCache(250)
    import datetime as dt

    def stored(n):
        return summary_cache.Stored(f"f{n}", bytes(100), "2397", dt.date(2018, 1, 1))

    memory.put("a", stored(1))
    memory.put("b", stored(2))
    assert memory.get("a") is not None  # a is now the most recent
    memory.put("c", stored(3))
    assert memory.get("b") is None and memory.get("a") is not None
    assert memory.get("c") is not None and memory.size == 200
    memory.put("big", summary_cache.Stored("g", bytes(300), "2397", dt.date(2018, 1, 1)))
    assert memory.get("big") is None and len(memory) == 2
