"""The bare stack for comparison: a Flask endpoint that parses the same JSON body and
answers 201, nothing else. Served by gunicorn with the service's own configuration."""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/reports")
def create():
    body = request.get_json()
    return jsonify(id="bare", entries=len(body["entries"])), 201
