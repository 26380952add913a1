"""E-mail: contact addresses, the SMTP server named by `SMTP_URL`, and sending plain-text
messages through it with the standard library (`smtplib`, `email`). No Flask, no database.

`SMTP_URL` forms:
- `smtp://[user:password@]host[:port]`: plain SMTP (port 25 by default);
- `smtp+starttls://[user:password@]host[:port]`: upgraded with STARTTLS (587);
- `smtps://[user:password@]host[:port]`: TLS from the first byte (465).
User and password are percent-decoded (`%40` for `@`). TLS connections verify the server's
certificate against the system's trusted authorities.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, getaddresses, make_msgid
from types import TracebackType
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TIMEOUT_SECONDS = 30.0
# One address, `local@domain`, ASCII: what any SMTP server delivers to. The domain is one
# or more labels of letters, digits and inner hyphens.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})*")
MAX_ADDRESS = 254  # RFC 5321: a path of 256 octets, angle brackets included
MAX_LOCAL = 64


class MailError(Exception):
    """The SMTP server could not be reached, or refused a message: nothing was sent."""


def address_problem(value: str) -> str | None:
    """Why `value` is not one plain e-mail address (`name@example.org`), or None."""
    if value != value.strip() or not value:
        return "give one address, without spaces around it"
    if "," in value or ";" in value or len(getaddresses([value])) != 1:
        return "give one address, not a list"
    if "<" in value or ">" in value or " " in value:
        return "give the bare address (name@example.org), without a display name"
    if not ADDRESS.fullmatch(value):
        return "not an e-mail address of the form name@example.org (ASCII letters)"
    if len(value) > MAX_ADDRESS or len(value.split("@")[0]) > MAX_LOCAL:
        return f"too long (at most {MAX_ADDRESS} characters, {MAX_LOCAL} before the @)"
    return None


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None

    def __str__(self) -> str:
        """The server without its credentials, for messages and logs."""
        who = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{who}{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpServer:
    """The server an `SMTP_URL` names; ValueError (never quoting the password) otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"SMTP_URL is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError("SMTP_URL must start with smtp://, smtp+starttls:// or smtps:// "
                         f"(got {scheme + '://' if scheme else 'no scheme'})")
    if not parts.hostname:
        raise ValueError("SMTP_URL names no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("SMTP_URL takes no path, query or fragment")
    return SmtpServer(
        scheme=scheme, host=parts.hostname, port=port or DEFAULT_PORTS[scheme],
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def plain_message(*, sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    domain = to.rsplit("@", 1)[-1] if "@" in to else None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body, charset="utf-8")
    return message


def sender_address(mail_from: str) -> str:
    """`MAIL_FROM` checked: an address, with or without a display name."""
    pairs = getaddresses([mail_from])
    if len(pairs) != 1 or address_problem(pairs[0][1]) is not None:
        raise ValueError(f"MAIL_FROM is not one e-mail address: {mail_from!r}")
    name, addr = pairs[0]
    return formataddr((name, addr)) if name else str(Address(addr_spec=addr))


class Mailer:
    """One connection to the SMTP server for many messages: `with Mailer(server) as m:
    m.send(message)`. A message the server does not accept raises MailError; the next
    message is sent over a new connection if the server dropped this one."""

    def __init__(self, server: SmtpServer, timeout: float = TIMEOUT_SECONDS) -> None:
        self.server = server
        self.timeout = timeout
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if server.scheme == "smtps":
            connection = smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout,
                                          context=context)
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if server.scheme == "smtp+starttls":
                connection.starttls(context=context)
                connection.ehlo()
            if server.user is not None:
                connection.login(server.user, server.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, message: EmailMessage) -> None:
        """Hand `message` to the server; returns once the server accepted it for every
        recipient, else MailError (then the server accepted it for none: one recipient)."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            refused = self.connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(f"{self.server} refused the recipient: "
                            f"{_reasons(exc.recipients)}") from None
        except smtplib.SMTPResponseException as exc:
            raise MailError(f"{self.server} refused the message: {exc.smtp_code} "
                            f"{_text(exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise MailError(f"could not send through {self.server}: {exc}") from None
        if refused:
            raise MailError(f"{self.server} refused: {_reasons(refused)}")

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            self.connection.close()
        self.connection = None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _reasons(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{who}: {code} {_text(why)}" for who, (code, why) in refused.items())
