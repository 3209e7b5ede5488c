"""Every script the TV loads is ES5: parsed with acorn (npm, tests/js) at ecmaVersion 5."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import RunningServer

JS_DIR = Path(__file__).parent / "js"
PARSER = JS_DIR / "parse_es5.js"
SCRIPT_SRC = re.compile(r'<script[^>]*\bsrc="([^"]+)"')


def parse_es5(files: list[Path]) -> dict[str, str | None]:
    """{file: acorn's error, or None when it is valid ES5}."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to parse the TV's scripts (apt-get install nodejs)")
    assert (JS_DIR / "node_modules" / "acorn").exists(), "acorn is missing: run `make test`"
    done = subprocess.run(
        [node, str(PARSER), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, str | None] = json.loads(done.stdout)
    return result


async def test_every_script_the_tv_loads_parses_as_es5(live: RunningServer, tmp_path: Path) -> None:
    """The page's scripts and its service worker, as served, are valid ES5."""
    async with httpx.AsyncClient(base_url=live.url) as http:
        page = (await http.get("/tv")).text
        urls = [*SCRIPT_SRC.findall(page), "/tv/sw.js"]
        assert len(urls) >= 3  # layout.js, tv.js and the worker
        files = []
        for n, url in enumerate(urls):
            response = await http.get(url)
            assert response.status_code == 200, url
            files.append(tmp_path / f"{n}-{url.rsplit('/', 1)[-1]}")
            files[-1].write_bytes(response.content)
    assert parse_es5(files) == {str(file): None for file in files}


def test_a_newer_construct_fails_the_check(tmp_path: Path) -> None:
    """`let`, arrow functions and template strings are refused: the check can fail."""
    newer = tmp_path / "newer.js"
    newer.write_text("let x = () => `${1}`;\n")
    older = tmp_path / "older.js"
    older.write_text("var x = function () { return String(1); };\n")
    result = parse_es5([newer, older])
    assert result[str(newer)] is not None
    assert result[str(older)] is None
