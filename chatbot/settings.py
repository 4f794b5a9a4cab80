"""Every setting of the bot, read from `CHATBOT_*` environment variables."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chatbot.scoring import SCORING

# The checkout's top folder, for tests and tools run from the source tree; no default
# setting depends on it except the chat page's files when not installed from a wheel.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DISCLAIMER = (
    "This information is educational and is not medical advice. It cannot diagnose "
    "or treat any condition. Always consult a healthcare professional about pain, "
    "injury or before starting a new health practice."
)
MIN_ADMIN_TOKEN_CHARS = 16
MIN_ADMIN_TOKEN_DISTINCT = 8
# A scheme, a host and an optional port: what CSP frame-ancestors and postMessage compare.
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def packaged_web_dir() -> Path:
    """The chat page's `templates/` and `static/`: the copy a wheel installs inside the
    package (`chatbot/web`), else the checkout's top-level `web/` (source or editable)."""
    packaged = resources.files("chatbot") / "web"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return PROJECT_ROOT / "web"


class Settings(BaseSettings):
    """Typed settings; each field's description is its help line in the README."""

    model_config = SettingsConfigDict(env_prefix="CHATBOT_", extra="forbid", frozen=True)

    # Relative paths are taken from the folder the command runs in: an installed
    # package has no project folder to anchor them to.
    knowledge_dir: Path = Field(
        default=Path("knowledge"),
        description="Folder of knowledge documents (Markdown) and their data files, "
        "relative to the folder the command runs in.",
    )
    web_dir: Path = Field(
        default_factory=packaged_web_dir,
        description="Folder holding the `templates/` and `static/` of the chat page; by "
        "default the copy installed with the package.",
    )
    host: str = Field(default="127.0.0.1", description="Address `chatbot serve` listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `chatbot serve` listens on.")
    answer_threshold: float = Field(
        default=SCORING.answer_threshold,
        ge=0.0,
        le=1.0,
        description="Confidence at or above which the best passage is given as the answer.",
    )
    suggest_threshold: float = Field(
        default=SCORING.suggest_threshold,
        ge=0.0,
        le=1.0,
        description="Confidence at or above which close passages are offered as suggestions.",
    )
    default_disclaimer: str = Field(
        default=DEFAULT_DISCLAIMER,
        min_length=1,
        description="Disclaimer shown when a document does not set its own.",
    )
    public_url: str = Field(
        default="",
        description="Origin prefixed to citation links in /ask (e.g. "
        "`https://example.org`); empty keeps them relative.",
    )
    db: Path = Field(
        default=Path("data") / "chatbot.db",
        description="SQLite file of the question log and feedback, relative to the folder "
        "the command runs in (created when missing; `data/` is git-ignored).",
    )
    database_url: str = Field(
        default="",
        pattern=r"^(|postgres(ql)?://.*)$",
        description="A `postgresql://user:password@host:port/database` URL to keep the "
        "question log in PostgreSQL, shared by several hosts; empty keeps it in the "
        "SQLite file `CHATBOT_DB`.",
    )
    log_questions: bool = Field(
        default=True,
        description="Record each question asked (time, question, band, passage, confidence;"
        " never who asked); `0` turns the log and feedback off and writes nothing.",
    )
    retention_days: int = Field(
        default=90,
        ge=1,
        description="Days a logged question and its feedback are kept before being purged.",
    )
    admin_token: SecretStr = Field(
        default=SecretStr(""),
        description="Token for `/admin` (Bearer header, or the password of the browser's "
        "login prompt; at least 16 characters); empty disables the admin "
        "routes.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Worker processes `chatbot serve` starts (`--workers`); each loads its "
        "own index.",
    )
    index_cache_dir: str = Field(
        default="",
        description="Folder where each worker keeps a copy of the search index, read back at "
        "start when the knowledge and the scoring are unchanged (worth it from some thousands "
        "of passages); empty builds the index at every start.",
    )
    max_body_bytes: int = Field(
        default=65536,
        ge=1024,
        description="Largest request body accepted, in bytes; a larger one gets `413` "
        "before it is read.",
    )
    rate_limit_per_minute: float = Field(
        default=60.0,
        ge=0.0,
        description="Requests per minute one client may send to /ask, /feedback and the "
        "chat page's form (per process, or per site when CHATBOT_RATE_LIMIT_STORAGE is "
        "shared); `0` turns the limit off.",
    )
    rate_limit_burst: int = Field(
        default=20,
        ge=1,
        description="Requests one client may send at once before the per-minute rate applies.",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        pattern=r"^(memory|redis|rediss|redis\+unix|redis\+sentinel|redis\+cluster)://",
        description="Where rate-limit counters live: `memory://` (per process) or a "
        "`redis://host:port` URL shared by every worker and host.",
    )
    keep_alive_seconds: float = Field(
        default=5.0,
        gt=0.0,
        le=300.0,
        description="Seconds `chatbot serve` keeps an idle connection open.",
    )
    header_timeout_seconds: float = Field(
        default=10.0,
        gt=0.0,
        le=300.0,
        description="Seconds `chatbot serve` gives a client to send a whole request (headers "
        "and body) once it connects or after its last reply; a slower or silent one is "
        "disconnected.",
    )
    max_connections: int = Field(
        default=1000,
        ge=1,
        description="Open connections one `chatbot serve` process holds at most (fewer when "
        "the open-file limit is lower); one more is answered `503` and closed at once.",
    )
    access_log: bool = Field(
        default=False,
        description="Log one line per request (method, path, status; never the client's "
        "address); `0` logs none.",
    )
    api_docs: bool = Field(
        default=True,
        description="Serve the interactive API documentation at `/docs` (Swagger UI from "
        "the package, under the Content-Security-Policy) and `/openapi.json`; `0` turns "
        "both off.",
    )
    allowed_hosts: str = Field(
        default="*",
        description="Comma-separated host names the server answers to (the `Host` header; "
        "`*.example.org` allowed); any other gets `400`. `*` answers any: set your site's "
        "names in production.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses of reverse proxies trusted to set "
        "`X-Forwarded-For` (the client address rate limits key on); `*` trusts "
        "any.",
    )
    embed_origins: str = Field(
        default="",
        description="Comma-separated origins of the sites whose pages may embed the chat "
        "widget (e.g. `https://www.example.org`), sent as CSP `frame-ancestors` on `/embed`; "
        "empty refuses every embedding.",
    )

    @property
    def allowed_host_list(self) -> list[str]:
        """The host names of `allowed_hosts`, `["*"]` when any is allowed."""
        hosts = [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]
        return ["*"] if not hosts or "*" in hosts else hosts

    @property
    def embed_origin_list(self) -> tuple[str, ...]:
        """The allowed embedding origins, without a trailing slash or duplicates."""
        origins = (o.strip().rstrip("/") for o in self.embed_origins.split(","))
        return tuple(dict.fromkeys(o for o in origins if o))

    @property
    def log_location(self) -> Path | str:
        """Where the question log lives: CHATBOT_DATABASE_URL when set, else CHATBOT_DB."""
        return self.database_url or self.db

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Settings:
        if self.suggest_threshold > self.answer_threshold:
            raise ValueError(
                "suggest_threshold must not exceed answer_threshold: set "
                "CHATBOT_SUGGEST_THRESHOLD below CHATBOT_ANSWER_THRESHOLD"
            )
        return self

    @model_validator(mode="after")
    def _embed_origins_are_origins(self) -> Settings:
        for origin in self.embed_origin_list:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"embed_origins: {origin!r} is not an origin: set CHATBOT_EMBED_ORIGINS "
                    "to addresses like https://www.example.org, separated by commas"
                )
        return self

    @model_validator(mode="after")
    def _admin_token_strong(self) -> Settings:
        token = self.admin_token.get_secret_value()
        if token and len(token) < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(
                f"admin_token is too short: set CHATBOT_ADMIN_TOKEN to at least "
                f"{MIN_ADMIN_TOKEN_CHARS} random characters, or leave it empty to disable /admin"
            )
        # A header or a password prompt can never carry white space at either end, so
        # such a token could never match; and sixteen spaces or "aaaa…" are no secret.
        if token and any(c.isspace() for c in token):
            raise ValueError(
                "admin_token contains white space (a trailing newline?): set "
                "CHATBOT_ADMIN_TOKEN to random characters without spaces or line breaks"
            )
        if token and len(set(token)) < MIN_ADMIN_TOKEN_DISTINCT:
            raise ValueError(
                f"admin_token is too easy to guess: set CHATBOT_ADMIN_TOKEN to random "
                f"characters, at least {MIN_ADMIN_TOKEN_DISTINCT} of them different"
            )
        return self


def redacted(url: str) -> str:
    """`url` without its password, fit for a log line or an error message."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + host))
