"""Mail through a real SMTP server started by the test (aiosmtpd): forgot password sends a
reset link that works once; changing the password signs out every other device."""

from __future__ import annotations

import asyncio
import queue
import re
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from email import message_from_bytes
from email.message import Message

import asyncpg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from chalkboard.mail.mailer import LogMailer, Mail
from chalkboard.settings import Settings
from tests.conftest import PASSWORD, Browser, RunningServer, answer, start_server

RESET_LINK = re.compile(r"(https?://\S+/reset/(rst_\S+))")
EMAIL_LINK = re.compile(r"(https?://\S+/account/email/(eml_\S+))")
NEW_PASSWORD = "a much longer new passphrase"


class Inbox:
    """What the SMTP server received; its handler runs on the server's own thread."""

    def __init__(self) -> None:
        self.mails: queue.Queue[Message] = queue.Queue()

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.mails.put(message_from_bytes(envelope.content))
        return "250 OK"

    async def next(self) -> Message:
        return await asyncio.to_thread(self.mails.get, True, 10)

    def empty(self) -> bool:
        return self.mails.empty()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class MailingServer:
    app: RunningServer
    inbox: Inbox


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
async def mailing(settings: Settings, smtp: tuple[Inbox, int]) -> AsyncIterator[MailingServer]:
    """The app with MAIL_BACKEND=smtp, sending to the test's SMTP server."""
    inbox, port = smtp
    mail_settings = replace(
        settings,
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        mail_from="Chalkboard <noreply@example.com>",
    )
    server, task, running = await start_server(mail_settings)
    yield MailingServer(running, inbox)
    server.should_exit = True
    await task


def browser_for(server: MailingServer, address: str) -> Browser:
    return Browser(
        base_url=server.app.url,
        follow_redirects=False,
        headers={"X-Forwarded-For": address},
        timeout=30,
    )


async def test_a_forgotten_password_is_reset_with_the_link_from_the_mail(
    mailing: MailingServer, db: asyncpg.Pool
) -> None:
    """The reset mail arrives over SMTP; its link sets a new password, signs in, ends the
    other sessions, and works only once; the old password no longer works."""
    async with (
        browser_for(mailing, "10.9.0.1") as owner,
        browser_for(mailing, "10.9.0.2") as stranger,
        browser_for(mailing, "10.9.0.3") as other_device,
    ):
        email = await owner.sign_up()
        assert (await other_device.sign_in(email)).status_code == 303

        await stranger.page("/forgot")
        asked = await stranger.submit("/forgot", {"email": email.upper()})
        assert (asked.status_code, asked.headers["location"]) == (303, "/forgot?sent=1")
        mail = await mailing.inbox.next()
        assert mail["To"] == email
        assert mail["From"] == "Chalkboard <noreply@example.com>"
        assert mail["Subject"] == "Reset your Chalkboard password"
        body = mail.get_payload(decode=True)
        assert isinstance(body, bytes)
        found = RESET_LINK.search(body.decode())
        assert found, body
        link, token = found[1], found[2]
        assert link.startswith(mailing.app.url)
        stored = await db.fetchval(
            "SELECT count(*) FROM password_resets WHERE token_hash = sha256($1::text::bytea)", token
        )
        assert stored == 1, "only the token's hash is kept"

        path = link.removeprefix(mailing.app.url)
        assert (await stranger.page(path)).status_code == 200
        too_short = await stranger.submit(path, {"password": "short"})
        assert too_short.status_code == 422
        done = await stranger.submit(path, {"password": NEW_PASSWORD})
        assert (done.status_code, done.headers["location"]) == (303, "/venues")
        assert (await stranger.get("/account")).status_code == 200, "signed in by the link"
        assert (await other_device.get("/account")).status_code == 303, "other sessions end"

        again = await stranger.submit(path, {"password": "yet another passphrase"})
        assert again.status_code == 410
        assert answer(await owner.sign_in(email, PASSWORD)) == "303 /login"
        assert (await owner.sign_in(email, NEW_PASSWORD)).status_code == 303


async def test_forgot_answers_the_same_for_unknown_emails_and_sends_nothing(
    mailing: MailingServer,
) -> None:
    """No account, no mail: the answer does not say whether the address has an account."""
    async with browser_for(mailing, "10.9.0.4") as stranger:
        await stranger.page("/forgot")
        asked = await stranger.submit("/forgot", {"email": "nobody-here@example.com"})
        assert (asked.status_code, asked.headers["location"]) == (303, "/forgot?sent=1")
        bad = await stranger.submit("/forgot", {"email": "not an email"})
        assert bad.status_code == 422
        await asyncio.sleep(0.5)
        assert mailing.inbox.empty()
        assert (await stranger.page("/reset/rst_made-up")).status_code == 410


async def test_changing_the_password_needs_the_current_one_and_signs_out_elsewhere(
    mailing: MailingServer,
) -> None:
    """A wrong current password changes nothing; the right one changes it, keeps this device
    signed in and signs out the others."""
    async with (
        browser_for(mailing, "10.9.0.5") as phone,
        browser_for(mailing, "10.9.0.6") as office,
    ):
        email = await phone.sign_up()
        assert (await office.sign_in(email)).status_code == 303
        await phone.page("/account/password")
        wrong = await phone.submit(
            "/account/password", {"current_password": "nope nope", "password": NEW_PASSWORD}
        )
        assert wrong.status_code == 422
        assert "That is not your current password." in wrong.text
        changed = await phone.submit(
            "/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD}
        )
        assert (changed.status_code, changed.headers["location"]) == (
            303,
            "/account?password=changed",
        )
        assert "Your password is changed" in (await phone.page("/account?password=changed")).text
        assert (await office.get("/account")).status_code == 303
        assert (await office.sign_in(email, NEW_PASSWORD)).status_code == 303


def mail_text(mail: Message) -> str:
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    return body.decode()


async def test_changing_the_email_needs_the_password_and_the_link_mailed_to_the_new_address(
    mailing: MailingServer, db: asyncpg.Pool
) -> None:
    """A wrong password or a taken address changes nothing and mails nothing; the right one
    mails a link to the new address, and only using it changes the email (once), tells the
    old address and signs out the other devices; an expired link does nothing; three links
    an hour at most."""
    async with (
        browser_for(mailing, "10.9.0.11") as phone,
        browser_for(mailing, "10.9.0.12") as office,
        browser_for(mailing, "10.9.0.13") as someone,
        browser_for(mailing, "10.9.0.14") as signed_out,
    ):
        email = await phone.sign_up()
        taken = await someone.sign_up()
        assert (await office.sign_in(email)).status_code == 303
        new_email = f"new-{email}"
        await phone.page("/account/email")

        async def refused(form: dict[str, str], message: str) -> None:
            back = await phone.submit("/account/email", form)
            assert (back.status_code, back.headers["location"]) == (303, "/account/email")
            assert message in (await phone.follow(back)).text

        await refused({"email": new_email, "current_password": "not it"}, "not your current")
        await refused({"email": taken.upper(), "current_password": PASSWORD}, "Another Chalkboard")
        await refused({"email": email, "current_password": PASSWORD}, "already your email")
        await refused({"email": "not an email", "current_password": PASSWORD}, "like name@")
        await asyncio.sleep(0.5)
        assert mailing.inbox.empty(), "a refused change mails nobody"

        asked = await phone.submit(
            "/account/email", {"email": new_email.upper(), "current_password": PASSWORD}
        )
        assert answer(asked) == "303 /account?email=sent"
        assert "We sent a link" in (await phone.follow(asked)).text
        mail = await mailing.inbox.next()
        assert (mail["To"], mail["Subject"]) == (new_email, "Confirm your new Chalkboard email")
        found = EMAIL_LINK.search(mail_text(mail))
        assert found, mail_text(mail)
        path, token = found[1].removeprefix(mailing.app.url), found[2]
        stored = await db.fetchval(
            "SELECT count(*) FROM email_changes WHERE token_hash = sha256($1::text::bytea)", token
        )
        assert stored == 1, "only the token's hash is kept"

        shown = await phone.page(path)
        assert shown.status_code == 200
        assert new_email in shown.text
        assert await db.fetchval("SELECT count(*) FROM users WHERE email = $1", email) == 1, (
            "opening the link changes nothing: a mail scanner opens links too"
        )
        done = await phone.submit(path)
        assert answer(done) == "303 /account?email=changed"
        assert new_email in (await phone.follow(done)).text, "this device stays signed in"
        assert (await office.get("/account")).status_code == 303, "other devices are signed out"
        notice = await mailing.inbox.next()
        assert (notice["To"], notice["Subject"]) == (email, "Your Chalkboard email was changed")
        assert new_email in mail_text(notice)
        assert (await phone.submit(path)).status_code == 410, "the link works once"
        assert answer(await office.sign_in(email)) == "303 /login"
        assert (await office.sign_in(new_email)).status_code == 303

        async def ask(address: str) -> str:
            await phone.page("/account/email")
            asked = await phone.submit(
                "/account/email", {"email": address, "current_password": PASSWORD}
            )
            assert answer(asked) == "303 /account?email=sent"
            found = EMAIL_LINK.search(mail_text(await mailing.inbox.next()))
            assert found
            return found[1].removeprefix(mailing.app.url)

        second = f"second-{email}"
        path = await ask(second)
        await signed_out.page(path)
        done = await signed_out.submit(path)
        assert answer(done) == "303 /login?email=changed", "a signed-out device is not signed in"
        assert "Sign in with the new address" in (await signed_out.follow(done)).text
        assert (await mailing.inbox.next())["To"] == new_email, "the old address is told"
        assert (await phone.get("/account")).status_code == 303, "every session ended"
        assert (await phone.sign_in(second)).status_code == 303

        late = await ask(f"third-{email}")
        await db.execute(
            "UPDATE email_changes SET expires_at = now() - interval '1 second' "
            "WHERE new_email = $1",
            f"third-{email}",
        )
        assert (await phone.page(late)).status_code == 410
        assert (await phone.submit(late)).status_code == 410
        assert await db.fetchval("SELECT count(*) FROM users WHERE email = $1", second) == 1

        await phone.page("/account/email")
        fourth = await phone.submit(
            "/account/email", {"email": f"fourth-{email}", "current_password": PASSWORD}
        )
        assert "Three links were sent" in (await phone.follow(fourth)).text
        await asyncio.sleep(0.5)
        assert mailing.inbox.empty(), "at most three links an hour"


async def test_an_invite_can_be_mailed(mailing: MailingServer) -> None:
    """An invite with an address mails its link (the page shows it too); the link works."""
    async with (
        browser_for(mailing, "10.9.0.7") as boss,
        browser_for(mailing, "10.9.0.8") as bartender,
    ):
        await boss.sign_up()
        slug = await boss.create_venue("The Mailing Arms")
        await boss.page(f"/v/{slug}/team")
        made = await boss.submit(
            f"/v/{slug}/invites", {"role": "editor", "email": "sam@example.com", "note": "Sam"}
        )
        assert made.status_code == 303, made.text
        team = await boss.page(made.headers["location"])
        assert "We mailed this link to <strong>sam@example.com</strong>" in team.text
        mail = await mailing.inbox.next()
        assert (mail["To"], mail["Subject"]) == (
            "sam@example.com",
            "Join The Mailing Arms on Chalkboard",
        )
        body = mail.get_payload(decode=True)
        assert isinstance(body, bytes)
        link = re.search(r"https?://\S+/invite/inv_\S+", body.decode())
        assert link, body
        assert link[0] in team.text, "the same link as on the page"
        await bartender.sign_up()
        joined = await bartender.submit(link[0].removeprefix(mailing.app.url))
        assert (joined.status_code, joined.headers["location"]) == (303, f"/v/{slug}")


async def test_the_log_mailer_prints_the_mail_and_its_links(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """MAIL_BACKEND=log (the laptop default) sends nothing and logs the link to click."""
    await LogMailer("Chalkboard <noreply@localhost>").send(
        Mail("sam@example.com", "Reset", "Here: http://127.0.0.1:8000/reset/rst_abc\nThanks")
    )
    assert "sam@example.com" in caplog.text
    assert "http://127.0.0.1:8000/reset/rst_abc" in caplog.text
