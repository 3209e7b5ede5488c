"""What the deployment serves: venues, TVs and their hours, page views, images, edits.

From a profile file (TOML, `profiles/*.toml`) or from a running Chalkboard (`observe.py`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PROFILES_DIR = Path(__file__).parent / "profiles"


class ProfileError(ValueError):
    """A profile file that cannot be read; the message says which field and why."""


class Workload(BaseModel):
    """Per day unless the name says otherwise; bytes are what goes over the wire."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "workload"
    venues: int = Field(ge=1)
    tvs: int = Field(ge=0)
    tv_online_hours_per_day: float = Field(14, gt=0, le=24)
    edits_per_day: float = Field(ge=0)
    embed_views_per_day: float = Field(0, ge=0)
    phone_views_per_day: float = Field(0, ge=0)
    api_requests_per_day: float = Field(0, ge=0)
    editor_requests_per_day: float = Field(0, ge=0)
    # One board pushed to a TV (a WebSocket frame) or answered to a poll.
    board_bytes: int = Field(6_000, ge=100)
    embed_page_bytes: int = Field(14_000, ge=100)
    phone_page_bytes: int = Field(16_000, ge=100)
    # Images one embed or phone view downloads (8 variants at the width drawn), and how many.
    image_bytes_per_view: int = Field(240_000, ge=0)
    images_per_view: int = Field(8, ge=0)
    # A TV keeps its images; it downloads them again when it restarts or the menu changes.
    tv_image_loads_per_day: float = Field(2, ge=0)
    tv_image_bytes_per_load: int = Field(900_000, ge=0)
    tv_reconnects_per_day: float = Field(4, ge=0)
    media_gb: float = Field(2, ge=0)
    database_gb: float = Field(1, ge=0)
    # Share of CDN requests answered at the edge (the rest go to S3 or the app).
    cdn_hit_ratio: float = Field(0.9, ge=0, le=1)
    # Where each number came from, when it was observed rather than assumed.
    observed: dict[str, str] = Field(default_factory=dict)

    def scaled_to(self, tvs: int) -> Workload:
        """The same habits at another size: everything per venue or per TV grows with TVs."""
        ratio = tvs / self.tvs if self.tvs else 1.0
        per = {
            name: getattr(self, name) * ratio
            for name in (
                "edits_per_day",
                "embed_views_per_day",
                "phone_views_per_day",
                "api_requests_per_day",
                "editor_requests_per_day",
                "media_gb",
                "database_gb",
            )
        }
        venues = max(1, round(self.venues * ratio))
        return self.model_copy(update={"tvs": tvs, "venues": venues, **per})


def parse_profile(text: str, *, source: str) -> tuple[Workload, dict[str, Any]]:
    """(the workload, its [deployment] overrides) from a profile's TOML text."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: not valid TOML: {exc}") from None
    deployment = doc.pop("deployment", {})
    try:
        return Workload.model_validate(doc), deployment
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise ProfileError(f"{source}: {problems}") from None


def load_profile(name_or_path: str) -> tuple[Workload, dict[str, Any]]:
    """A bundled profile by name (`small`, `medium`, `large`) or a TOML file by path."""
    path = Path(name_or_path)
    if not path.is_file():
        path = PROFILES_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        bundled = ", ".join(sorted(p.stem for p in PROFILES_DIR.glob("*.toml")))
        raise ProfileError(f"no profile file {name_or_path!r} (bundled profiles: {bundled})")
    return parse_profile(path.read_text(), source=str(path))
