"""Authorities' contact addresses and `flask --app wsgi deadlines remind`, against a real
SMTP server on the loopback (aiosmtpd)."""

from __future__ import annotations

import email
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.extensions import db
from app.mail import address_problem, parse_smtp_url
from app.models import AuditEvent, ReminderSent
from tests.helpers import auth, free_port, full_entry

AS_OF = "2020-03-10"  # the 2397 final report is due 2020-03-22: within 14 days


class Inbox:
    """An aiosmtpd handler keeping what it accepted; it refuses the recipients in
    `refuse`."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.messages if rcpt == [address]]


@pytest.fixture()
def smtp(app, monkeypatch):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setitem(app.config, "MAIL_FROM", "Sanctions reporting <reminders@un.example>")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://reports.example.org")
    yield inbox
    controller.stop()


def _authority(runner, name, state, email_address=None, role="reporter"):
    args = ["authority", "create", "--name", name, "--role", role]
    args += ["--state", state] if state else []
    args += ["--email", email_address] if email_address else []
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture()
def authorities(runner, client, admin):
    """France and Germany with addresses, Japan without, Italy's disabled; France filed the
    2397 midterm report on time."""
    _authority(runner, "France MFA", "FRA", "sanctions@diplomatie.example.fr")
    _authority(runner, "Germany AA", "DEU", "sanktionen@auswaertiges-amt.example.de")
    _authority(runner, "Japan MOFA", "JPN")
    _authority(runner, "Italy MAECI", "ITA", "sanzioni@esteri.example.it")
    assert runner.invoke(args=["authority", "revoke", "--name", "Italy MAECI"]).exit_code == 0
    _authority(runner, "Panel desk", None, "panel@un.example", role="panel")
    detail = client.get("/api/v1/resolutions/2397").get_json()
    entry = full_entry(next(o for o in detail["obligations"] if o["code"] == "2397/8"))
    r = client.post("/api/v1/reports", headers=auth(admin), json={
        "state": "FRA", "resolution": 2397, "requirement": "2397/R-8-midterm",
        "language": "fr", "entries": [entry], "received_at": "2019-03-01T10:00:00Z"})
    assert r.status_code == 201, r.get_json()


def _remind(runner, *extra):
    return runner.invoke(args=["deadlines", "remind", "--as-of", AS_OF, *extra])


def _recorded(app):
    with app.app_context():
        rows = db.session.execute(select(ReminderSent.address, ReminderSent.answers,
                                         ReminderSent.due)).all()
        db.session.remove()
    return rows


def _overdue_codes(client, token, state):
    body = client.get(f"/api/v1/states/{state}/deadlines?as_of={AS_OF}",
                      headers=auth(token)).get_json()
    return {i["requirement"] for i in body["items"] if i["status"] == "overdue"}


def test_each_authority_gets_one_message_and_a_second_run_sends_nothing(
        app, runner, client, panel, smtp, authorities):
    result = _remind(runner)
    assert result.exit_code == 0, result.output
    fra, deu = "sanctions@diplomatie.example.fr", "sanktionen@auswaertiges-amt.example.de"
    # Reporters with an address only: not Japan (none), Italy (disabled) or the panel.
    assert sorted(rcpt[0] for rcpt, _ in smtp.messages) == sorted([fra, deu])
    [message] = smtp.to(fra)
    overdue = _overdue_codes(client, panel, "FRA")
    assert message["Subject"] == (f"Reports due for France: {len(overdue)} overdue, 1 due "
                                  "within 14 days")
    assert message["From"] == "Sanctions reporting <reminders@un.example>"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    overdue_part, soon_part = body.split("Due within 14 days (1):")
    for code in overdue:
        assert f"- {code}: " in overdue_part, code
    assert "- 2397/R-8-final: final report on resolution 2397 (due 2020-03-22, in 12 days)" \
        in soon_part
    assert "2397/R-8-midterm" not in body  # filed on time
    assert "https://reports.example.org/api/v1/states/FRA/deadlines.ics" in body
    assert "Only for: States in whose jurisdiction DPRK nationals earn income." in body
    # Unverified paragraph references and due dates are said to be so.
    assert "S/RES/1718 (2006), paragraph 11 (a reference not confirmed against the text)." \
        in body
    assert "S/RES/2397 (2017), paragraph 8." in body  # read in the text
    assert "The due date has not been confirmed against the resolution's text." in body
    [german] = smtp.to(deu)
    assert german["Subject"].startswith("Reports due for Germany: ")
    assert "2397/R-8-midterm" in german.get_content()  # Germany filed nothing

    lines = result.output.strip().splitlines()
    assert lines[-1] == (f"2 messages sent ({len(_recorded(app))} deadlines reminded)")
    assert f"sent to {fra} (France MFA): {message['Subject']}" in lines
    recorded = _recorded(app)
    assert {address for address, _, _ in recorded} == {fra, deu}
    assert sum(1 for address, _, _ in recorded if address == fra) == len(overdue) + 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "reminder.send")) == 2
        db.session.remove()

    again = _remind(runner)
    assert again.exit_code == 0, again.output
    assert len(smtp.messages) == 2
    assert again.output.strip().splitlines()[-1] == "0 messages sent (0 deadlines reminded)"
    # Once overdue, the final report is the same deadline (same due date): not sent again.
    later = runner.invoke(args=["deadlines", "remind", "--as-of", "2020-03-30"])
    assert later.exit_code == 0, later.output
    assert len(smtp.messages) == 2


def test_a_dry_run_sends_and_records_nothing(app, runner, smtp, authorities):
    result = _remind(runner, "--dry-run")
    assert result.exit_code == 0, result.output
    assert smtp.messages == [] and _recorded(app) == []
    assert "--- would send to sanctions@diplomatie.example.fr (France MFA)" in result.output
    assert "Subject: Reports due for France: " in result.output
    assert "- 2397/R-8-final: " in result.output
    assert result.output.strip().splitlines()[-1].startswith("dry run: 2 messages (")
    # It needs no mail server.
    app.config["SMTP_URL"] = None
    assert _remind(runner, "--dry-run").exit_code == 0


def test_a_refused_message_records_nothing_for_that_authority(app, runner, smtp,
                                                              authorities):
    smtp.refuse.add("sanktionen@auswaertiges-amt.example.de")
    result = _remind(runner)
    assert result.exit_code == 1
    assert "NOT sent to sanktionen@auswaertiges-amt.example.de (Germany AA)" in result.output
    assert "550" in result.output
    assert result.output.strip().splitlines()[-1].endswith("; 1 not sent: Germany AA")
    assert {address for address, _, _ in _recorded(app)} == {"sanctions@diplomatie.example.fr"}
    # Once the server takes it, Germany gets its message and France nothing more.
    smtp.refuse.clear()
    again = _remind(runner)
    assert again.exit_code == 0, again.output
    assert [rcpt for rcpt, _ in smtp.messages] == [["sanctions@diplomatie.example.fr"],
                                                  ["sanktionen@auswaertiges-amt.example.de"]]


def test_an_unreachable_server_records_nothing(app, runner, smtp, authorities):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    result = _remind(runner)
    assert result.exit_code == 1
    assert "could not send through smtp://127.0.0.1:" in result.output
    assert _recorded(app) == []


def test_without_smtp_url_nothing_is_sent_and_the_command_fails(app, runner, authorities,
                                                                monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_URL", None)
    result = _remind(runner)
    assert result.exit_code != 0
    assert "SMTP_URL is not set" in result.output
    monkeypatch.setitem(app.config, "SMTP_URL", "http://user:s3cret@mail.example.org")
    result = _remind(runner)
    assert result.exit_code != 0
    assert "smtp://" in result.output and "s3cret" not in result.output
    assert _recorded(app) == []


def test_remind_checks_its_options(runner):
    assert runner.invoke(args=["deadlines", "remind", "--days", "-1"]).exit_code == 2
    # Before the first resolution to ask for a report (1540, adopted 2004-04-28).
    early = runner.invoke(args=["deadlines", "remind", "--dry-run", "--as-of", "2004-04-27"])
    assert early.exit_code == 1 and "2004-04-28" in early.output


# --- contact addresses --------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "a@b@c.org", "two@example.org, three@example.org", "Name <x@example.org>",
    "no-at-sign", "x@-bad-.org", " x@example.org", "x@exa mple.org", "é@example.org",
    "x" * 65 + "@example.org",
])
def test_a_bad_address_is_refused_naming_the_option(runner, value):
    result = runner.invoke(args=["authority", "create", "--name", "X", "--role", "reporter",
                                 "--state", "FRA", "--email", value])
    assert result.exit_code == 2
    assert "Invalid value for '--email'" in result.output
    assert address_problem(value) is not None


def test_addresses_are_listed_and_can_be_replaced_or_removed(runner):
    _authority(runner, "Kenya MFA", "KEN", "sanctions@mfa.example.ke")
    listing = runner.invoke(args=["authority", "list"]).output
    assert "Kenya MFA\treporter\tKEN\tactive\tsanctions@mfa.example.ke" in listing
    result = runner.invoke(args=["authority", "email", "--name", "Kenya MFA", "--email",
                                 "un-desk@mfa.example.ke"])
    assert result.exit_code == 0, result.output
    assert "un-desk@mfa.example.ke" in runner.invoke(args=["authority", "list"]).output
    bad = runner.invoke(args=["authority", "email", "--name", "Kenya MFA", "--email", "x"])
    assert bad.exit_code == 2
    removed = runner.invoke(args=["authority", "email", "--name", "Kenya MFA", "--remove"])
    assert removed.exit_code == 0
    assert "Kenya MFA\treporter\tKEN\tactive\t-" in runner.invoke(args=["authority",
                                                                        "list"]).output
    unknown = runner.invoke(args=["authority", "email", "--name", "Nobody", "--email",
                                  "x@example.org"])
    assert unknown.exit_code == 1 and "No authority named" in unknown.output


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example.org", ("smtp", "mail.example.org", 25, None, None)),
    ("smtp+starttls://u%40x:p%3Aw@mail.example.org:2525",
     ("smtp+starttls", "mail.example.org", 2525, "u@x", "p:w")),
    ("smtps://relay.example.org", ("smtps", "relay.example.org", 465, None, None)),
])
def test_smtp_urls(url, expected):
    server = parse_smtp_url(url)
    assert (server.scheme, server.host, server.port, server.user, server.password) == expected
    assert server.password is None or server.password not in str(server)


@pytest.mark.parametrize("url", ["mail.example.org", "smtp://", "imap://mail.example.org",
                                 "smtp://mail.example.org/path", "smtp://host:99999"])
def test_bad_smtp_urls(url):
    with pytest.raises(ValueError, match="SMTP_URL"):
        parse_smtp_url(url)
