"""Command line: `flask --app wsgi db ...`, `catalogue ...`, `authority ...`, `reports ...`,
`incidents ...`, `demo ...`, `summary ...`, `deadlines ...`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import inspect

from schemas.common import EARLIEST_AS_OF, today_utc

from . import migrations
from .auth import COMMAND_LINE
from .catalogue import DATA_DIR
from .domain import Role
from .errors import DomainError
from .extensions import db
from .mail import Mailer, MailError, address_problem, parse_smtp_url, plain_message, sender_address
from .services import authorities, incidents, reminders
from .services.backfill_files import BackfillFileError, read_records
from .services.catalogue import CatalogueFileError, load_catalogue
from .services.demo import DEFAULT_SEED, DemoFileError, load_demo, unload_demo
from .services.incident_files import IncidentFileError, read_incidents
from .services.reports import BackfillError, backfill

db_cli = AppGroup("db", help="Database schema migrations (Alembic).")
catalogue_cli = AppGroup("catalogue", help="The bundled catalogue of regimes.")
authority_cli = AppGroup("authority", help="Authorities and their API tokens.")
reports_cli = AppGroup("reports", help="Reports: historical backfill.")
incidents_cli = AppGroup("incidents", help="The enforcement record: import incidents.")
demo_cli = AppGroup("demo", help="Synthetic demo data, marked as such everywhere.")
summary_cli = AppGroup("summary", help="Lax-enforcement summaries (PDF or HTML).")
deadlines_cli = AppGroup("deadlines", help="Reporting deadlines: e-mail reminders.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    migrations.upgrade(current_app, revision)
    click.echo(f"database at {_current()}")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (`base` empties the schema)."""
    migrations.downgrade(current_app, revision)
    click.echo(f"database at {_current()}")


@db_cli.command("current")
def db_current() -> None:
    """Print the schema revision of the database and the newest one available."""
    head = ", ".join(sorted(migrations.head_revisions()))
    click.echo(f"database at {_current()}; head is {head}")


def _current() -> str:
    with db.engine.connect() as connection:
        current = migrations.current_revisions(connection)
    return ", ".join(sorted(current)) or "base (empty)"


MAX_ADDED_LISTED = 20  # a first load adds hundreds of rows: listed only with -v


@catalogue_cli.command("load")
@click.option(
    "--path",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DATA_DIR,
    show_default="the bundled data",
    help="Folder holding member_states.json and regimes/*.json.",
)
@click.option("--verbose", "-v", is_flag=True, help="List every row added, changed or kept.")
def catalogue_load(data_dir: Path, verbose: bool) -> None:
    """Load or update regimes, resolutions, obligations and Member States. Safe to rerun."""
    if not inspect(db.engine).has_table("resolution"):
        raise click.ClickException(
            "the database has no schema yet: run `flask --app wsgi db upgrade` first"
        )
    try:
        report = load_catalogue(db.session, data_dir)
    except CatalogueFileError as exc:
        raise click.ClickException(f"nothing was loaded: {exc}") from exc
    lines = report.lines()
    if not verbose:
        lines = [line for line in lines if not line.startswith("  ")]
        if len(report.added) <= MAX_ADDED_LISTED:
            lines += [f"  + {item}" for item in report.added]
        else:
            lines.append(f"  (-v lists the {len(report.added)} rows added)")
        lines += [f"  ~ {item}" for item in report.changed]
    for line in lines:
        click.echo(line)


def _service_call(func, *args):
    try:
        return func(db.session, *args)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc


def _email_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """`--email`: one plain address, else a usage error naming the option."""
    if value is None:
        return None
    problem = address_problem(value)
    if problem is not None:
        raise click.BadParameter(f"{value!r}: {problem}")
    return value


@authority_cli.command("create")
@click.option("--name", required=True, help="Name of the authority, unique.")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--state", "state", default=None, help="ISO3 code of a reporter's state.")
@click.option("--email", default=None, callback=_email_option,
              help="Contact address for deadline reminders (one address).")
def authority_create(name: str, role: str, state: str | None, email: str | None) -> None:
    """Create an authority and its first token. The token is printed once, on the last line."""
    if (role == Role.REPORTER) != (state is not None):
        raise click.UsageError("--state ISO3 is required for a reporter authority and "
                               "allowed for no other role")
    issued = _service_call(authorities.create_authority, name, role, state, email)
    where = f" for {issued.authority.state.iso3}" if issued.authority.state else ""
    contact = f"; reminders to {email}" if email else ""
    click.echo(f"created {role} authority {issued.authority.name!r}{where}; token id "
               f"{issued.public_id}{contact}", err=True)
    click.echo(issued.plaintext)


@authority_cli.command("email")
@click.option("--name", required=True, help="Name of an existing authority.")
@click.option("--email", default=None, callback=_email_option,
              help="The new contact address (replaces the old one).")
@click.option("--remove", is_flag=True, help="Remove the contact address.")
def authority_email(name: str, email: str | None, remove: bool) -> None:
    """Set, replace or remove an authority's contact address for deadline reminders."""
    if (email is None) != remove:
        raise click.UsageError("give exactly one of --email ADDRESS or --remove")
    authority = _service_call(authorities.set_email, name, email)
    if authority.email:
        click.echo(f"reminders for {authority.name!r} go to {authority.email}")
    else:
        click.echo(f"{authority.name!r} has no contact address: it gets no reminders")


@authority_cli.command("token")
@click.option("--name", required=True, help="Name of an existing authority.")
def authority_token(name: str) -> None:
    """Issue another token for an authority (printed once, on the last line)."""
    issued = _service_call(authorities.issue_token, name)
    click.echo(f"new token id {issued.public_id} for {name!r}", err=True)
    click.echo(issued.plaintext)


@authority_cli.command("revoke")
@click.option("--name", default=None, help="Disable this authority and all its tokens.")
@click.option("--token-id", default=None, help="Revoke one token by its id.")
def authority_revoke(name: str | None, token_id: str | None) -> None:
    """Revoke one token (--token-id) or every token of an authority (--name)."""
    if (name is None) == (token_id is None):
        raise click.UsageError("give exactly one of --name or --token-id")
    if token_id is not None:
        token = _service_call(authorities.revoke_token, token_id)
        click.echo(f"revoked token {token.public_id}")
    else:
        authority = _service_call(authorities.revoke_authority, name)
        click.echo(f"disabled authority {authority.name!r} and revoked its tokens")


@authority_cli.command("list")
def authority_list() -> None:
    """List authorities (name, role, state, status, contact address) and their token ids
    (never the tokens)."""
    for authority in authorities.list_authorities(db.session):
        state = authority.state.iso3 if authority.state else "-"
        status = "disabled" if authority.disabled_at else "active"
        click.echo(f"{authority.name}\t{authority.role}\t{state}\t{status}\t"
                   f"{authority.email or '-'}")
        for token in authority.tokens:
            used = token.last_used_at.isoformat() if token.last_used_at else "never"
            revoked = f"revoked {token.revoked_at.isoformat()}" if token.revoked_at else "active"
            click.echo(f"  token {token.public_id}\tlast used {used}\t{revoked}")


@reports_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def reports_import(path: Path) -> None:
    """Backfill historical reports from a JSON or CSV file, all or nothing.

    Each record keeps its true received_at; a record for a state and resolution already
    reported becomes that report's next version. One bad record loads nothing and is named.
    """
    try:
        records, labels = read_records(path)
        summary = backfill(db.session, COMMAND_LINE, records, labels)
    except BackfillFileError as exc:
        raise click.ClickException(f"nothing was loaded: {exc}") from exc
    except BackfillError as exc:
        raise click.ClickException(f"nothing was loaded: {exc}") from exc
    click.echo(f"stored {summary.versions} versions ({summary.created} new reports) "
               f"from {path.name}")


@incidents_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "acting_as", default=None, metavar="NAME",
              help="A panel or admin authority the incidents are recorded by (default: the "
              "command line).")
def incidents_import(path: Path, acting_as: str | None) -> None:
    """Record incidents from a JSON or CSV file as the Panel, all or nothing.

    JSON: a list of incident bodies as for POST /api/v1/incidents, or {"incidents": [...]}.
    CSV: one row per incident (columns in docs/incidents.md). One bad record stores nothing
    and is named, with the pointer of each error.
    """
    try:
        principal = (COMMAND_LINE if acting_as is None
                     else authorities.panel_principal(db.session, acting_as))
    except DomainError as exc:
        raise click.ClickException(f"nothing was stored: {exc.detail}") from exc
    try:
        records, labels = read_incidents(path)
        ids = incidents.import_records(db.session, principal, records, labels,
                                       source=path.name)
    except (IncidentFileError, incidents.ImportError_) as exc:
        raise click.ClickException(f"nothing was stored: {exc}") from exc
    click.echo(f"recorded {len(ids)} incident{'' if len(ids) == 1 else 's'} from {path.name} "
               f"as the Panel ({principal.name})")


@demo_cli.command("load")
@click.option("--seed", default=DEFAULT_SEED, show_default=True,
              help="Random seed of the demo data.")
def demo_load(seed: int) -> None:
    """Fill the database with synthetic demo reports across the resolutions of every regime
    in the catalogue, as each regime's demo file (app/catalogue/data/demo/) plans them."""
    if not inspect(db.engine).has_table("report"):
        raise click.ClickException("run `flask --app wsgi db upgrade` first")
    try:
        loaded = load_demo(db.session, seed)
    except BackfillError as exc:  # pragma: no cover - the generator makes valid reports
        raise click.ClickException(f"nothing was loaded: {exc}") from exc
    except DemoFileError as exc:
        raise click.ClickException(f"nothing was loaded: {exc}") from exc
    if loaded.versions == 0 and loaded.incidents == 0 and loaded.findings == 0:
        click.echo("no demo reports added: they are loaded already")
    else:
        click.echo(f"stored {loaded.versions} demo report versions, "
                   f"{_count(loaded.incidents, 'demo incident')} and "
                   f"{_count(loaded.findings, 'demo finding')}; every output built from "
                   "them is marked as demo data")


@demo_cli.command("unload")
def demo_unload() -> None:
    """Remove all demo data (reports and incidents, and only demo data) in one
    transaction."""
    if not inspect(db.engine).has_table("report"):
        raise click.ClickException("run `flask --app wsgi db upgrade` first")
    removed = unload_demo(db.session)
    if removed.reports == 0 and removed.incidents == 0 and removed.findings == 0:
        click.echo("no demo data to remove")
    else:
        click.echo(f"removed {removed.reports} demo reports ({removed.versions} versions, "
                   f"{removed.entries} entries), {_count(removed.incidents, 'demo incident')}"
                   f" and {_count(removed.findings, 'demo finding')}"
                   "; real reports, incidents and findings are untouched")


def _as_of_date(as_of: dt.datetime | None) -> dt.date | None:
    """`--as-of` as a date, not in the future (UTC)."""
    if as_of is None:
        return None
    if not EARLIEST_AS_OF <= as_of.date() <= today_utc():
        raise click.BadParameter(
            f"must lie between {EARLIEST_AS_OF} and today", param_hint="--as-of"
        )
    return as_of.date()


@summary_cli.command("render")
@click.option("--resolution", type=int, default=None, help="Summary of this resolution.")
@click.option("--state", default=None, help="Profile of this Member State (ISO3).")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="What was known at the end of this day, UTC (default: now).")
@click.option("--audience", type=click.Choice(["public", "restricted"]), default="public",
              show_default=True,
              help="public: no incident recorded as restricted; restricted: everything, "
              "every page marked Restricted.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output file: .pdf or .html.")
def summary_render(resolution: int | None, state: str | None, as_of, audience: str,
                   out: Path) -> None:
    """Render a resolution summary (--resolution) or a state profile (--state) to a file."""
    from .rendering import documents
    from .services import summaries

    if (resolution is None) == (state is None):
        raise click.UsageError("give exactly one of --resolution or --state")
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "html"):
        raise click.UsageError("--out must end in .pdf or .html")
    subject: int | str
    if resolution is not None:
        kind, subject = "resolution", resolution
    else:
        assert state is not None
        kind, subject = "state", state
    try:
        context = summaries.build_context(db.session, kind, subject, _as_of_date(as_of),
                                          audience)
        template = summaries.TEMPLATES[kind]
        if fmt == "html":
            out.write_text(documents.render_html(template, context,
                                                 stylesheet_url=documents.STYLESHEET.as_uri()),
                           encoding="utf-8")
        else:
            out.write_bytes(documents.render_pdf(documents.render_html(template, context))[0])
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    marks = {"all": ", DEMO DATA", "mixed": ", CONTAINS DEMO DATA"}
    edition = ", RESTRICTED" if audience == "restricted" else ""
    click.echo(f"wrote {out} (as of {context['as_of']}{edition}"
               f"{marks.get(context['demo'], '')})")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


@deadlines_cli.command("remind")
@click.option("--days", type=click.IntRange(0, 366), default=14, show_default=True,
              help="Remind what falls due within this many days, besides what is overdue.")
@click.option("--dry-run", is_flag=True, help="Print the messages; send and record nothing.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day the deadlines are counted from (default: today, UTC).")
def deadlines_remind(days: int, dry_run: bool, as_of: dt.datetime | None) -> None:
    """E-mail each reporter authority with a contact address what its State has overdue or
    due soon: one message per authority, each deadline once (SMTP_URL, MAIL_FROM)."""
    config = current_app.config
    server = None
    try:
        if not dry_run:
            if not config.get("SMTP_URL"):
                raise click.ClickException(
                    "SMTP_URL is not set: name the mail server (smtp://host:25, "
                    "smtp+starttls://user:password@host:587 or smtps://host:465), or use "
                    "--dry-run to see the messages without sending them")
            server = parse_smtp_url(config["SMTP_URL"])
        sender = sender_address(config["MAIL_FROM"])
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        due = reminders.pending(db.session, _as_of_date(as_of), days)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    base_url = config.get("PUBLIC_BASE_URL")
    if server is None:
        for reminder in due:
            click.echo(f"--- would send to {reminder.address} ({reminder.authority.name})")
            click.echo(f"Subject: {reminder.subject}\n")
            click.echo(reminder.body(base_url))
        count = sum(len(r.items) for r in due)
        click.echo(f"dry run: {_count(len(due), 'message')} ({_count(count, 'deadline')}) "
                   "would be sent; nothing was sent or recorded")
        return
    sent = recorded = 0
    failed: list[str] = []
    with Mailer(server) as mailer:
        for reminder in due:
            name = reminder.authority.name
            message = plain_message(sender=sender, to=reminder.address,
                                    subject=reminder.subject, body=reminder.body(base_url))
            try:
                mailer.send(message)
            except MailError as exc:
                failed.append(name)
                click.echo(f"NOT sent to {reminder.address} ({name}): {exc}", err=True)
                continue
            recorded += reminders.record_sent(db.session, reminder)
            sent += 1
            click.echo(f"sent to {reminder.address} ({name}): {reminder.subject}")
    click.echo(f"{_count(sent, 'message')} sent ({_count(recorded, 'deadline')} reminded)"
               + (f"; {len(failed)} not sent: {', '.join(failed)}" if failed else ""))
    if failed:
        raise click.exceptions.Exit(1)


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(catalogue_cli)
    app.cli.add_command(authority_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(incidents_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(summary_cli)
    app.cli.add_command(deadlines_cli)
