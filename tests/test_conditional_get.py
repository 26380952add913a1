"""Conditional GETs: `If-None-Match` compares entity tags weakly (RFC 9110 13.1.2), so a
weak tag, a list of tags or `*` that matches answers 304, and a summary is then not
rendered at all."""

from __future__ import annotations

import pytest

from app.rendering import documents as rendering
from tests.helpers import auth


@pytest.fixture()
def panel(make_token):
    return make_token("panel")


def _matching(etag: str) -> list[str]:
    """`If-None-Match` values that match `etag` (a strong, quoted tag) under weak comparison."""
    return [etag, f"W/{etag}", f'"something-else", W/{etag}', "*"]


def test_json_gets_answer_304_to_weak_tags_lists_and_star(client):
    url = "/api/v1/regimes"
    etag = client.get(url).headers["ETag"]
    assert not etag.startswith("W/")
    for value in _matching(etag):
        r = client.get(url, headers={"If-None-Match": value})
        assert r.status_code == 304, value
        assert r.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_summary_that_matches_is_not_rendered_again(client, panel, monkeypatch):
    url = "/api/v1/summaries/resolutions/2397.html?as_of=2019-01-01"
    first = client.get(url, headers=auth(panel))
    assert first.status_code == 200
    etag = first.headers["ETag"]
    renders = []
    original = rendering.render_html

    def counting(*args, **kwargs):
        renders.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(rendering, "render_html", counting)
    for value in _matching(etag):
        r = client.get(url, headers=auth(panel, **{"If-None-Match": value}))
        assert r.status_code == 304, value
        assert r.headers["ETag"] == etag
    assert renders == []
    r = client.get(url, headers=auth(panel, **{"If-None-Match": '"something-else"'}))
    assert r.status_code == 200 and len(renders) == 1
