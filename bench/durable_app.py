"""The durable floor for comparison: a Flask endpoint that parses the same JSON body, inserts
it as one JSON row (`bench_floor`) in the service's database and commits, then answers 201
with the row's id. Nothing else: no validation, no authentication, no ORM session. Served by
gunicorn with the service's own configuration; `DATABASE_URL` names the database, reached
with the service's driver (psycopg 3) and, on SQLite, the service's connection settings
(write-ahead log, `synchronous=NORMAL`)."""

from __future__ import annotations

import os

from flask import Flask, jsonify, request
from sqlalchemy import JSON, Column, Integer, MetaData, Table, create_engine, insert
from sqlalchemy.engine import Engine

from app import extensions as _service_extensions  # noqa: F401  # SQLite pragmas on connect
from app.config import normalise_database_url

metadata = MetaData()
FLOOR = Table("bench_floor", metadata,
              Column("id", Integer, primary_key=True),
              Column("body", JSON, nullable=False))

app = Flask(__name__)
_engine: Engine | None = None


def engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]))
    return _engine


@app.post("/api/v1/reports")
def create():
    body = request.get_json()
    with engine().begin() as connection:
        row_id = connection.execute(insert(FLOOR), {"body": body}).inserted_primary_key[0]
    return jsonify(id=row_id, entries=len(body["entries"])), 201
