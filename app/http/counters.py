"""The revision counters a request reads (`app.services.revisions`), in one query.

A view that will read the counters of some scopes names them early (`expect`, from a URL
value preprocessor: before authentication runs); the first `read` of the request then fetches
those together with what it is asked for (authentication reads `authorities`, to trust a token
it has checked before), and later reads are answered from that one result.

Counters read early are never too new: a document or token checked against them was read
after them, so it is at least as recent as the counters say.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import g

from ..extensions import db
from ..services import revisions


def expect(*scopes: str) -> None:
    """Scopes this request will read: fetched with the first read."""
    g.setdefault("revision_scopes", set()).update(scopes)


def read(scopes: Iterable[str]) -> dict[str, int]:
    """The counters of `scopes`, as this request first read them."""
    wanted = set(scopes)
    have: dict[str, int] = g.setdefault("revision_counters", {})
    missing = wanted - have.keys()
    if missing:
        have.update(revisions.current(db.session, missing | g.get("revision_scopes", set())))
    return {scope: have[scope] for scope in wanted}
