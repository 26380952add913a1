"""The transaction rule (app/services/__init__.py): use cases own their transactions; views
and commands never commit or roll back, and a failed use case leaves nothing behind."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Authority
from app.services import transaction, use_case

APP = Path(__file__).resolve().parent.parent / "app"


def _transaction_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback", "begin")):
            found.append(f"{path.name}:{node.lineno} .{node.func.attr}()")
    return found


@pytest.mark.parametrize("path", sorted([*(APP / "api").rglob("*.py"), APP / "cli.py"]),
                         ids=lambda p: str(p.relative_to(APP)))
def test_views_and_commands_never_commit(path):
    assert _transaction_calls(path) == []


def test_the_rule_checker_sees_a_commit(tmp_path):
    view = tmp_path / "view.py"
    view.write_text("def post():\n    db.session.commit()\n", encoding="utf-8")
    assert _transaction_calls(view) == ["view.py:2 .commit()"]


def test_a_failed_use_case_leaves_nothing_and_a_nested_one_joins(app):
    @use_case
    def add_then_fail(session):
        session.add(AuditEvent(action="test.fail", actor="test"))
        inner(session)
        raise RuntimeError("boom")

    @use_case
    def inner(session):
        session.add(AuditEvent(action="test.inner", actor="test"))

    with app.app_context():
        with pytest.raises(RuntimeError):
            add_then_fail(db.session)
        count = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action.like("test.%")))
        assert count == 0
        inner(db.session)
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "test.inner")) == 1
        db.session.remove()


def test_changes_outside_a_use_case_are_refused(app):
    with app.app_context():
        db.session.add(Authority(name="stray", role="panel"))
        with pytest.raises(RuntimeError, match="outside a use case"), transaction(db.session):
            pass
        db.session.rollback()
        db.session.remove()
