"""Delivery channels behind the outbox: e-mail by SMTP (standard library) and SMS by a pluggable provider.

A channel is anything with the ``Channel`` protocol. ``enabled_channels()`` are the channels producers write
outbox rows for; a channel nobody configured gets no rows, so with nothing configured notifications go to the
in-app inbox only.

**E-mail** is on when ``JIEBANG_SMTP_HOST`` is set:

====================== ===================================================== =========
``JIEBANG_SMTP_HOST``  server name                                           (off)
``JIEBANG_SMTP_PORT``  port                                                  587 with STARTTLS, else 25
``JIEBANG_SMTP_STARTTLS`` ``1``: upgrade the connection with STARTTLS before logging in  ``0``
``JIEBANG_SMTP_USER`` / ``JIEBANG_SMTP_PASSWORD``  log in when a user is set (none)
``JIEBANG_SMTP_FROM``  the sender address                                    ``jiebang@localhost``
====================== ===================================================== =========

**SMS** has no built-in provider. A deployment names a factory ``module:callable`` in ``JIEBANG_SMS_CHANNEL``;
it is called with no arguments and returns a ``Channel`` whose ``name`` is ``"sms"`` (its own settings come from
its own environment variables). ``register_channel`` does the same from code (tests, plug-ins).

**Never twice**: each outbox row is sent with a deterministic ``Message-ID`` (``message_id``). The outbox marks
a row sent only after ``send`` returned; if the process dies between the two, the row is sent again after its
claim expires, with the same Message-ID, so the receiving MTA or mail client can drop the duplicate. An SMS
provider should pass ``message.key`` as its idempotency key for the same reason.
"""

from __future__ import annotations

import importlib
import os
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    #: stable across retries of one outbox row: ``jiebang-outbox-<id>``
    key: str
    address: str
    subject: str
    body: str


class DeliveryError(Exception):
    """A send failed; ``permanent`` ones (a refused address) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    #: the channel code stored in the outbox (``email``, ``sms``)
    name: str

    def send(self, message: OutgoingMessage) -> None:
        """Deliver or raise (``DeliveryError`` or any ``OSError``); returning means the provider accepted it."""
        ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    user: str | None
    password: str | None
    sender: str

    @classmethod
    def from_env(cls) -> SmtpSettings | None:
        host = os.environ.get("JIEBANG_SMTP_HOST", "").strip()
        if not host:
            return None
        starttls = os.environ.get("JIEBANG_SMTP_STARTTLS", "0").strip() == "1"
        return cls(
            host=host,
            port=int(os.environ.get("JIEBANG_SMTP_PORT") or (587 if starttls else 25)),
            starttls=starttls,
            user=os.environ.get("JIEBANG_SMTP_USER") or None,
            password=os.environ.get("JIEBANG_SMTP_PASSWORD") or None,
            sender=os.environ.get("JIEBANG_SMTP_FROM") or "jiebang@localhost",
        )


def message_id(key: str, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{key}@{domain}>"


class SmtpChannel:
    name = "email"

    def __init__(self, settings: SmtpSettings, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def build(self, message: OutgoingMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = message.address
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        mail["Message-ID"] = message_id(message.key, self.settings.sender)
        mail.set_content(message.body)
        return mail

    def send(self, message: OutgoingMessage) -> None:
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=self.timeout) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password or "")
                smtp.send_message(self.build(message))
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx: the server will not take it, whatever we retry; 4xx: try again later
            raise DeliveryError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from exc


_REGISTERED: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    """Add or replace the channel named ``channel.name`` in this process."""
    _REGISTERED[channel.name] = channel


def unregister_channel(name: str) -> None:
    _REGISTERED.pop(name, None)


def _sms_from_env() -> Channel | None:
    spec = os.environ.get("JIEBANG_SMS_CHANNEL", "").strip()
    if not spec:
        return None
    module, _, attr = spec.partition(":")
    factory: Callable[[], Channel] = getattr(importlib.import_module(module), attr)
    return factory()


def enabled_channels() -> dict[str, Channel]:
    """The channels configured in this process: registered ones, then SMTP and the SMS factory from the env."""
    found: dict[str, Channel] = {}
    settings = SmtpSettings.from_env()
    if settings is not None:
        found["email"] = SmtpChannel(settings)
    if (sms := _sms_from_env()) is not None:
        found[sms.name] = sms
    found.update(_REGISTERED)
    return found
