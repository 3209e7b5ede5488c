"""Settings: built once from the environment, validated as a whole, passed everywhere.

Every variable is listed in `Settings.from_env`; docs/configuration.md describes them.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
# Dev-only key: anything signed with it is worthless outside a laptop.
DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"
MIN_SECRET_KEY_LENGTH = 32
ENVIRONMENTS = ("dev", "production")


class SettingsError(Exception):
    """The environment does not describe a runnable Chalkboard; the message says what to set."""


class Secret(str):
    """A string that does not print: repr/str in logs and tracebacks show a placeholder."""

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def reveal(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True, kw_only=True)
class Settings:
    env: str = "dev"
    # None: run an embedded Postgres (pgserver) under data_dir.
    database_url: Secret | None = None
    secret_key: Secret = field(default_factory=lambda: Secret(DEV_SECRET_KEY))
    public_base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = REPO_ROOT / ".data"
    # Addresses whose X-Forwarded-* headers are believed (the ALB's subnets). None by
    # default: otherwise any local process could pick the address sign-in throttling sees.
    trusted_proxies: tuple[str, ...] = ()
    # Must outlive the ALB idle timeout (60 s by default) or the ALB sees resets.
    keepalive_seconds: int = 75
    # Window over which TV sockets are closed on SIGTERM (Fargate Spot gives 120 s).
    shutdown_drain_seconds: float = 20.0
    db_pool_min: int = 2
    db_pool_max: int = 10
    # The live path's own connections (TV hellos, boards, pairing), so TVs never queue behind
    # editor requests; plus one LISTEN connection. A task opens db_pool_max + this + 1.
    db_live_pool_max: int = 3
    # How long a request waits for a free pooled connection before it is answered 503.
    db_acquire_seconds: float = 5.0
    # ECS sets ECS_CONTAINER_METADATA_URI_V4: the task watches its own desired status there,
    # to drain when a deploy or scale-in is about to stop it (ops/lifecycle.py).
    ecs_metadata_uri: str | None = None
    # Seconds between CloudWatch embedded-metric log lines (TVs per task, database health);
    # 0: none. Default: every 60 s on ECS, never elsewhere.
    metrics_log_seconds: int = 0
    # The metrics' Service dimension: the ECS service's name (Terraform sets it).
    service_name: str = "chalkboard"
    session_idle_days: int = 14
    session_absolute_days: int = 60
    invite_valid_days: int = 7
    log_level: str = "INFO"
    # When set, /metrics asks for `Authorization: Bearer <token>`.
    metrics_token: Secret | None = None
    web_dir: Path = REPO_ROOT / "web"
    # Images (docs/media.md). No bucket: a local directory under data_dir, served at /media.
    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    # For S3-compatible stores (MinIO, R2, moto); None: AWS itself.
    s3_endpoint_url: str | None = None
    # Where image URLs point ("https://d123.cloudfront.net"); None with the local store:
    # root-relative URLs (/media/...), served by this app.
    cdn_base_url: str | None = None
    # Where embeds, the phone page, embed.js and the public JSON are served from (the
    # CloudFront distribution in front of the app, docs/cost.md); None: PUBLIC_BASE_URL.
    # Their live stream stays on PUBLIC_BASE_URL (the ALB).
    embed_base_url: str | None = None
    media_max_upload_bytes: int = 15 * 1024 * 1024
    media_quota_bytes: int = 1024 * 1024 * 1024
    media_max_pixels: int = 40_000_000
    # How many images are decoded and re-encoded at once (each may take ~200 MB at 40 MP).
    media_workers: int = 2
    # Mail (docs/mail.md): "log" prints each mail and its links (the laptop default), "smtp"
    # sends through SMTP_HOST, "ses" through Amazon SES in MAIL_REGION.
    mail_backend: str = "log"
    mail_from: str = "Chalkboard <noreply@localhost>"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: Secret | None = None
    smtp_security: str = "starttls"  # starttls | tls | none (a relay on localhost)
    mail_region: str = "us-east-1"
    mail_timeout_seconds: int = 10

    @property
    def is_https(self) -> bool:
        return self.public_base_url.startswith("https://")

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read CHALKBOARD_* and friends; raise SettingsError naming every problem at once."""
        env = os.environ if environ is None else environ
        problems: list[str] = []

        def integer(name: str, default: int, low: int, high: int) -> int:
            raw = env.get(name)
            if raw is None or raw == "":
                return default
            try:
                value = int(raw)
            except ValueError:
                problems.append(f"{name} must be a whole number, got {raw!r}")
                return default
            if not low <= value <= high:
                problems.append(f"{name} must be between {low} and {high}, got {value}")
            return value

        mode = env.get("CHALKBOARD_ENV", "dev")
        if mode not in ENVIRONMENTS:
            problems.append(
                f"CHALKBOARD_ENV must be one of {', '.join(ENVIRONMENTS)}, got {mode!r}"
            )

        secret = env.get("SECRET_KEY", "")
        if not secret:
            if mode == "production":
                problems.append(
                    "SECRET_KEY is required in production: set it to a random string of at "
                    "least 32 characters, e.g. `python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))'`"
                )
            secret = DEV_SECRET_KEY
        elif len(secret) < MIN_SECRET_KEY_LENGTH:
            problems.append(f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long")

        database_url = env.get("DATABASE_URL") or None
        if database_url and urlsplit(database_url).scheme not in ("postgres", "postgresql"):
            problems.append("DATABASE_URL must start with postgresql:// (or leave it unset)")
        if database_url is None and mode == "production":
            problems.append("DATABASE_URL is required in production (the embedded one is for dev)")

        port = integer("PORT", 8000, 1, 65535)
        public_base_url = env.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}").rstrip("/")
        parts = urlsplit(public_base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(
                f"PUBLIC_BASE_URL must be an absolute http(s) URL like https://menu.example.com,"
                f" got {public_base_url!r}"
            )
        elif mode == "production" and parts.scheme != "https":
            problems.append("PUBLIC_BASE_URL must use https:// in production")

        proxies = tuple(p.strip() for p in env.get("TRUSTED_PROXIES", "").split(",") if p.strip())
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                problems.append(
                    f"TRUSTED_PROXIES must be comma-separated IPs or CIDRs, got {proxy!r}"
                )

        log_level = env.get("LOG_LEVEL", "INFO").upper()
        if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            problems.append(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")

        pool_min = integer("DB_POOL_MIN", 2, 1, 100)
        pool_max = integer("DB_POOL_MAX", 10, 1, 500)
        if pool_min > pool_max:
            problems.append("DB_POOL_MIN must not be larger than DB_POOL_MAX")
        ecs_metadata_uri = env.get("ECS_CONTAINER_METADATA_URI_V4", "").strip() or None

        s3_bucket = env.get("S3_BUCKET", "").strip() or None
        s3_endpoint_url = env.get("S3_ENDPOINT_URL", "").strip().rstrip("/") or None
        cdn_base_url = env.get("CDN_BASE_URL", "").strip().rstrip("/") or None
        embed_base_url = env.get("EMBED_BASE_URL", "").strip().rstrip("/") or None
        for name, url in (
            ("S3_ENDPOINT_URL", s3_endpoint_url),
            ("CDN_BASE_URL", cdn_base_url),
            ("EMBED_BASE_URL", embed_base_url),
        ):
            if url is not None and (
                urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc
            ):
                problems.append(f"{name} must be an absolute http(s) URL, got {url!r}")
        if s3_bucket is not None and cdn_base_url is None:
            problems.append(
                "CDN_BASE_URL is required with S3_BUCKET: the address images are served from "
                "(the CloudFront distribution, e.g. https://d1234.cloudfront.net)"
            )

        mail_backend = env.get("MAIL_BACKEND", "log").strip().lower()
        if mail_backend not in ("log", "smtp", "ses"):
            problems.append(f"MAIL_BACKEND must be log, smtp or ses, got {mail_backend!r}")
        smtp_host = env.get("SMTP_HOST", "").strip()
        if mail_backend == "smtp" and not smtp_host:
            problems.append(
                "SMTP_HOST is required with MAIL_BACKEND=smtp (e.g. smtp.postmarkapp.com)"
            )
        smtp_security = env.get("SMTP_SECURITY", "starttls").strip().lower()
        if smtp_security not in ("starttls", "tls", "none"):
            problems.append(f"SMTP_SECURITY must be starttls, tls or none, got {smtp_security!r}")
        mail_from = env.get("MAIL_FROM", "").strip() or f"Chalkboard <noreply@{parts.hostname}>"

        settings = cls(
            env=mode,
            database_url=Secret(database_url) if database_url else None,
            secret_key=Secret(secret),
            public_base_url=public_base_url,
            host=env.get("HOST", "127.0.0.1" if mode == "dev" else "0.0.0.0"),  # noqa: S104
            port=port,
            data_dir=Path(env.get("DATA_DIR", str(REPO_ROOT / ".data"))),
            trusted_proxies=proxies,
            keepalive_seconds=integer("KEEPALIVE_SECONDS", 75, 1, 4100),
            shutdown_drain_seconds=integer("SHUTDOWN_DRAIN_SECONDS", 20, 0, 110),
            db_pool_min=pool_min,
            db_pool_max=pool_max,
            db_live_pool_max=integer("DB_LIVE_POOL_MAX", 3, 1, 50),
            db_acquire_seconds=integer("DB_ACQUIRE_SECONDS", 5, 1, 60),
            ecs_metadata_uri=ecs_metadata_uri,
            service_name=env.get("SERVICE_NAME", "").strip() or "chalkboard",
            metrics_log_seconds=integer(
                "METRICS_LOG_SECONDS", 60 if ecs_metadata_uri else 0, 0, 3600
            ),
            session_idle_days=integer("SESSION_IDLE_DAYS", 14, 1, 365),
            session_absolute_days=integer("SESSION_ABSOLUTE_DAYS", 60, 1, 365),
            log_level=log_level,
            metrics_token=Secret(env["METRICS_TOKEN"]) if env.get("METRICS_TOKEN") else None,
            s3_bucket=s3_bucket,
            s3_region=env.get("S3_REGION", "").strip() or "us-east-1",
            s3_endpoint_url=s3_endpoint_url,
            cdn_base_url=cdn_base_url,
            embed_base_url=embed_base_url,
            media_max_upload_bytes=integer(
                "MEDIA_MAX_UPLOAD_BYTES", 15 * 1024 * 1024, 1024, 100 * 1024 * 1024
            ),
            media_quota_bytes=integer("MEDIA_QUOTA_BYTES", 1024 * 1024 * 1024, 0, 2**50),
            media_max_pixels=integer("MEDIA_MAX_PIXELS", 40_000_000, 1_000_000, 100_000_000),
            media_workers=integer("MEDIA_WORKERS", 2, 1, 32),
            mail_backend=mail_backend,
            mail_from=mail_from,
            smtp_host=smtp_host,
            smtp_port=integer("SMTP_PORT", 587, 1, 65535),
            smtp_username=env.get("SMTP_USERNAME", "").strip(),
            smtp_password=Secret(env["SMTP_PASSWORD"]) if env.get("SMTP_PASSWORD") else None,
            smtp_security=smtp_security,
            mail_region=env.get("MAIL_REGION", "").strip() or "us-east-1",
            mail_timeout_seconds=integer("MAIL_TIMEOUT_SECONDS", 10, 1, 60),
        )
        if problems:
            raise SettingsError(
                "Chalkboard cannot start; fix these settings:\n  - " + "\n  - ".join(problems)
            )
        return settings
