"""Sign up, sign in, sessions, CSRF and throttling, over real HTTP against a real Postgres."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
from argon2 import PasswordHasher

from chalkboard.accounts import passwords
from tests.conftest import PASSWORD, Browser, answer


async def user_count(db: asyncpg.Pool, email: str) -> int:
    return await db.fetchval("SELECT count(*) FROM users WHERE email = $1", email)


async def test_sign_up_starts_a_session_and_asks_for_a_venue(
    browser: Browser, db: asyncpg.Pool
) -> None:
    """A new account is signed in at once and sent to create its first venue."""
    response = await browser.submit(
        "/signup", {"email": "New.Owner@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/venues/new"
    cookie = response.headers.get_list("set-cookie")
    session = next(c for c in cookie if c.startswith("cb_session="))
    assert "HttpOnly" in session
    assert "SameSite=lax" in session
    assert await user_count(db, "new.owner@example.com") == 1
    assert (await browser.page("/account")).status_code == 200


async def test_sign_up_rejects_bad_input_and_writes_nothing(
    browser: Browser, db: asyncpg.Pool
) -> None:
    """Invalid email, short or over-long password: 303 back to the form (a reload sends
    nothing again), which shows a message per field and the email typed; no user."""
    for email, password, field_message in [
        ("not-an-email", PASSWORD, "email address"),
        ("short@example.com", "short", "at least 8 characters"),
        ("long@example.com", "x" * 257, "at most 256 characters"),
    ]:
        response = await browser.submit("/signup", {"email": email, "password": password})
        assert answer(response) == "303 /signup"
        assert await user_count(db, email) == 0
        page = await browser.follow(response)
        assert field_message in page.text
        assert f'value="{email}"' in page.text
        if password != PASSWORD:
            assert f'value="{password}"' not in page.text, "a refused password is not kept"
        again = await browser.page("/signup")
        assert field_message not in again.text, "the errors show once; a reload is a clean form"


async def test_a_mistyped_email_gets_one_plain_sentence_and_keeps_the_password(
    browser: Browser,
) -> None:
    """A bad email is not answered with the validating library's words, and the password
    typed stays in its field so only the email needs fixing."""
    for email in ("bob", "bob@@example.com", "bob@example", "bo b@example.com"):
        response = await browser.follow(
            await browser.submit("/signup", {"email": email, "password": PASSWORD})
        )
        assert PASSWORD not in response.request.headers["cookie"], "never in the clear"
        assert "Enter an email address like name@example.com." in response.text
        assert "value is not a valid email" not in response.text
        assert f'value="{PASSWORD}"' in response.text, "the password is not cleared"


async def test_duplicate_email_gets_a_clear_message(new_browser: Callable[[], Browser]) -> None:
    """Signing up twice with one email says to sign in instead."""
    email = await new_browser().sign_up()
    again = new_browser()
    response = await again.follow(
        await again.submit("/signup", {"email": email.upper(), "password": PASSWORD})
    )
    assert "already exists" in response.text


async def test_long_unicode_passwords_work(new_browser: Callable[[], Browser]) -> None:
    """A 200-character password with emoji and accents signs in, in either Unicode form."""
    password = ("Ünïcödé 🍺 pässwörd " * 10)[:200]
    email = await new_browser().sign_up(password=password)
    decomposed = __import__("unicodedata").normalize("NFD", password)
    response = await new_browser().sign_in(email, decomposed)
    assert response.status_code == 303


async def test_wrong_password_and_unknown_email_look_the_same(
    new_browser: Callable[[], Browser],
) -> None:
    """Both go back to the sign-in form with the same words, so sign-in does not reveal who
    has an account; the email typed stays, the password does not."""
    email = await new_browser().sign_up()
    pages = []
    for who in (email, "nobody-here@example.com"):
        person = new_browser()
        refused = await person.submit("/login", {"email": who, "password": "not the password"})
        assert answer(refused) == "303 /login"
        pages.append(page := await person.follow(refused))
        assert f'value="{who}"' in page.text
        assert "not the password" not in page.text
    assert all("do not match" in page.text for page in pages)


async def test_repeated_failures_are_throttled(new_browser: Callable[[], Browser]) -> None:
    """After 10 failures for one email, the next attempts get 429, even the right password."""
    email = await new_browser().sign_up()
    attacker = new_browser()
    statuses = [answer(await attacker.sign_in(email, f"guess {n}")) for n in range(20)]
    assert statuses[:10] == ["303 /login"] * 10
    assert set(statuses[10:]) == {"429"}
    blocked = await new_browser().sign_in(email, PASSWORD)
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0


async def test_unknown_emails_are_throttled_the_same_way(browser: Browser) -> None:
    """Guessing at an email with no account hits the same limit and the same answer."""
    statuses = [answer(await browser.sign_in("ghost@example.com", "x")) for _ in range(12)]
    assert statuses[:10] == ["303 /login"] * 10
    assert statuses[10:] == ["429", "429"]


async def test_sign_in_issues_a_new_session_id(new_browser: Callable[[], Browser]) -> None:
    """Signing in replaces any session id the browser had (no session fixation)."""
    email = await new_browser().sign_up()
    person = new_browser()
    await person.sign_in(email)
    first = person.cookies["cb_session"]
    await person.sign_in(email)
    assert person.cookies["cb_session"] != first


async def test_logout_revokes_the_session_server_side(
    new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """A session cookie copied before sign-out no longer works after it."""
    person = new_browser()
    await person.sign_up()
    stolen = person.cookies["cb_session"]
    assert (await person.submit("/logout")).status_code == 303
    replay = new_browser()
    replay.cookies.set("cb_session", stolen)
    response = await replay.get("/account")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    api = await replay.get("/api/v1/venues/anything")
    assert api.status_code == 401


async def test_log_out_everywhere_ends_every_session(new_browser: Callable[[], Browser]) -> None:
    """ "Sign out everywhere" on one device signs out the others too."""
    email = await new_browser().sign_up()
    phone, laptop = new_browser(), new_browser()
    await phone.sign_in(email)
    await laptop.sign_in(email)
    assert (await laptop.page("/account")).status_code == 200
    assert (await phone.submit("/logout-everywhere")).status_code == 303
    assert (await laptop.get("/account")).status_code == 303


async def test_idle_sessions_expire(new_browser: Callable[[], Browser], db: asyncpg.Pool) -> None:
    """A session unused for longer than the idle timeout is no longer accepted."""
    person = new_browser()
    email = await person.sign_up()
    await db.execute(
        "UPDATE sessions SET last_seen_at = now() - interval '15 days' "
        "WHERE user_id = (SELECT id FROM users WHERE email = $1)",
        email,
    )
    assert (await person.get("/account")).status_code == 303


async def test_state_changes_need_a_valid_csrf_token(browser: Browser, db: asyncpg.Pool) -> None:
    """A POST without the token, or with a forged one, is refused and changes nothing."""
    await browser.page("/signup")
    last = browser.csrf_token[-1]
    tampered = browser.csrf_token[:-1] + ("1" if last == "0" else "0")
    for token in (None, "forged", tampered):
        email = f"csrf-{token}@example.com".lower()
        data = {"email": email, "password": PASSWORD}
        if token is not None:
            data["csrf_token"] = token
        response = await browser.post("/signup", data=data)
        assert response.status_code == 403
        assert "reload the page" in response.text
        assert await user_count(db, email) == 0


async def test_csrf_token_is_bound_to_the_browser(new_browser: Callable[[], Browser]) -> None:
    """One browser's token does not work in another browser (another site cannot reuse it)."""
    victim, attacker = new_browser(), new_browser()
    await victim.sign_up()
    await attacker.page("/login")
    victim.csrf_token = attacker.csrf_token
    assert (await victim.submit("/logout-everywhere")).status_code == 403


async def test_outdated_password_hashes_are_upgraded_on_sign_in(
    new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """A hash made with older, weaker argon2 parameters is replaced at the next sign-in."""
    email = await new_browser().sign_up()
    weak = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash(PASSWORD)
    await db.execute("UPDATE users SET password_hash = $2 WHERE email = $1", email, weak)
    assert (await new_browser().sign_in(email)).status_code == 303
    stored = await db.fetchval("SELECT password_hash FROM users WHERE email = $1", email)
    assert stored != weak
    assert not passwords.needs_rehash(stored)
    assert stored.startswith("$argon2id$")


async def test_a_refused_sign_in_keeps_where_it_was_going(
    new_browser: Callable[[], Browser],
) -> None:
    """A wrong password goes back to the form with `next` kept, so the right one then lands
    on the page that asked for sign-in."""
    email = await new_browser().sign_up()
    person = new_browser()
    await person.page("/login?next=/account")
    refused = await person.submit(
        "/login", {"email": email, "password": "wrong one", "next": "/account"}
    )
    assert answer(refused) == "303 /login?next=/account"
    form = await person.follow(refused)
    assert 'name="next" value="/account"' in form.text
    signed_in = await person.submit(
        "/login", {"email": email, "password": PASSWORD, "next": "/account"}
    )
    assert answer(signed_in) == "303 /account"
