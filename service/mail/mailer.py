"""Sending mail through a small protocol, like blobs (DESIGN.md, convention 21).

`Mailer` = `SmtpMailer` (aiosmtplib: an asyncio SMTP client, so a slow server never blocks
the loop; STARTTLS or TLS, with a timeout) | `SesMailer` (Amazon SES through boto3, in a
worker thread, with timeouts and retries) | `LogMailer` (the laptop default: the mail and
the links in it go to the log, so `make run` needs no mail server). Chosen by settings.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

import aiosmtplib

from chalkboard.settings import Settings

log = logging.getLogger("chalkboard.mail")
LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


def _message(sender: str, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.text)
    return message


class LogMailer:
    """Prints the mail; on a laptop the reset link is one click away in the terminal."""

    def __init__(self, sender: str) -> None:
        self.sender = sender

    async def send(self, mail: Mail) -> None:
        log.warning(
            "mail (MAIL_BACKEND=log, not sent) to %s: %s — links: %s",
            mail.to,
            mail.subject,
            " ".join(LINK.findall(mail.text)) or "none",
        )


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, mail: Mail) -> None:
        s = self.settings
        password = s.smtp_password.reveal() if s.smtp_password else None
        await aiosmtplib.send(
            _message(s.mail_from, mail),
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=password,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            timeout=s.mail_timeout_seconds,
        )


class SesMailer:
    def __init__(self, settings: Settings) -> None:
        import boto3  # type: ignore[import-untyped]
        from botocore.config import Config  # type: ignore[import-untyped]

        self.settings = settings
        timeout = settings.mail_timeout_seconds
        self.client: Any = boto3.client(
            "sesv2",
            region_name=settings.mail_region,
            config=Config(
                connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 3}
            ),
        )

    async def send(self, mail: Mail) -> None:
        message = _message(self.settings.mail_from, mail)
        await asyncio.to_thread(
            self.client.send_email,
            FromEmailAddress=self.settings.mail_from,
            Destination={"ToAddresses": [mail.to]},
            Content={"Raw": {"Data": message.as_bytes()}},
        )


def mailer_for(settings: Settings) -> Mailer:
    if settings.mail_backend == "smtp":
        return SmtpMailer(settings)
    if settings.mail_backend == "ses":
        return SesMailer(settings)
    return LogMailer(settings.mail_from)
