"""Memory stays bounded under a pixel bomb and a burst of uploads (RSS of a real server)."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import Browser, ServerProcess
from tests.test_media import files, pixel_bomb

MIB = 1024 * 1024
BURST = 20


def rss(pid: int) -> int:
    """Resident set size in bytes, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


class Peak:
    """Samples a process's RSS every 20 ms in a thread; `peak` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss(self.pid))

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def photo(width: int, height: int) -> bytes:
    """A smooth JPEG of that size (like a 12 MP phone photo, though smaller in bytes)."""
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge(
        "RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient)
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.mark.slow
async def test_rss_stays_bounded_under_a_bomb_and_a_burst_of_uploads(
    serve: Callable[..., Awaitable[ServerProcess]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A 400 MP bomb costs < 40 MiB; 20 concurrent 12 MP uploads stay < 350 MiB over idle."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    url, process = await serve()
    boss = Browser(base_url=url, follow_redirects=False, timeout=300)
    async with boss:
        await boss.sign_up()
        slug = await boss.create_venue()
        path = f"/api/v1/venues/{slug}/images"
        headers = {"X-CSRF-Token": boss.csrf_token}
        small = io.BytesIO()
        Image.new("RGB", (800, 600), (9, 9, 9)).save(small, "JPEG")
        warm = await boss.post(path, files=files("warm.jpg", small.getvalue()), headers=headers)
        assert warm.status_code == 201
        idle = rss(process.pid)

        with Peak(process.pid) as bomb:
            refused = await boss.post(path, files=files("bomb.png", pixel_bomb()), headers=headers)
        assert refused.status_code == 422
        assert bomb.peak - idle < 40 * MIB, f"bomb: +{(bomb.peak - idle) / MIB:.0f} MiB"

        base = photo(4000, 3000)
        # Different bytes (a trailer Pillow ignores), so each one is processed, not deduplicated.
        uploads = [base + b"\0" * (n + 1) for n in range(BURST)]
        with Peak(process.pid) as burst:
            answers = await asyncio.gather(
                *(
                    boss.post(path, files=files(f"p{n}.jpg", data, "image/jpeg"), headers=headers)
                    for n, data in enumerate(uploads)
                )
            )
        assert [a.status_code for a in answers] == [201] * BURST, answers[0].text
        grew = burst.peak - idle
        print(
            f"idle {idle / MIB:.0f} MiB; bomb +{(bomb.peak - idle) / MIB:.0f} MiB; "
            f"burst of {BURST} x {len(base) / MIB:.1f} MB +{grew / MIB:.0f} MiB"
        )
        # Two workers at ~10 bytes a pixel (decoded, resampled, resized) is ~230 MiB for 12 MP;
        # all twenty at once would be ten times that.
        assert grew < 350 * MIB, f"burst: +{grew / MIB:.0f} MiB"
