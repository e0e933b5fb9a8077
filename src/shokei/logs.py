"""Process logs: uvicorn's and Shokei's records as plain text (the default) or as one JSON object a
line (`SHOKEI_LOG_FORMAT=json`), for a log shipper (journald, a container runtime, Vector,
Fluent Bit) to index without parsing text.

A JSON line always has `time` (UTC, ISO 8601), `level`, `logger` and `message`; an access line
adds `client`, `method`, `path`, `http_version` and `status`; an error adds `exception` (the
traceback). The audit ledger is the record of who did what: logs are for operations only.

Access lines carry the path without its query string: queries hold search terms and the reasons
given for reading a document, which do not belong in a log. The `shokei.security` logger records
every login (succeeded, failed, refused during a lockout), lockout and logout as a structured
record (`event`, `user`, `address`, ...): fields of a JSON line, `key=value` pairs in text.
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime
from typing import Any

FORMATS = ("text", "json")
SECURITY_LOGGER = "shokei.security"
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")
_SHOKEI_LOGGERS = ("shokei", SECURITY_LOGGER)


def security_event(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """One structured record in the security log (login, login_failed, lockout, logout, ...)."""
    details = " ".join(f"{name}={value!r}" for name, value in fields.items())
    logging.getLogger(SECURITY_LOGGER).log(
        level, "%s %s", event, details, extra={"security": {"event": event, **fields}}
    )


class QuerylessAccess(logging.Filter):
    """Drops the query string from uvicorn's access records (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == len(_ACCESS_FIELDS):
            client, method, path, version, status = record.args
            record.args = (client, method, str(path).split("?", 1)[0], version, status)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        # uvicorn's access records carry (client, method, path, http version, status) as args.
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            line.update(zip(_ACCESS_FIELDS, record.args, strict=True))
        security = getattr(record, "security", None)
        if isinstance(security, dict):
            line.update({name: value for name, value in security.items() if name not in line})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(log_format: str) -> dict[str, Any]:
    """The `logging.config.dictConfig` for `shokei serve` and `shokei worker`: "text" keeps
    uvicorn's own text format and adds Shokei's loggers (the security log among them) in the same
    style; "json" sends uvicorn's and Shokei's records, as JSON lines, to standard error. Either
    way access lines lose their query strings."""
    if log_format != "json":
        return _text_config()
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stderr",
        "filters": ["queryless"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"queryless": {"()": QuerylessAccess}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"json": handler},
        "loggers": {
            name: {"handlers": ["json"], "level": "INFO", "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access", *_SHOKEI_LOGGERS)
        },
    }


def _text_config() -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG  # noqa: PLC0415 - late: only serving processes log so

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"queryless": {"()": QuerylessAccess}}
    config["handlers"]["access"]["filters"] = ["queryless"]
    config["handlers"]["shokei"] = {
        "class": "logging.StreamHandler",
        "formatter": "shokei",
        "stream": "ext://sys.stderr",
    }
    config["formatters"]["shokei"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    for name in _SHOKEI_LOGGERS:
        config["loggers"][name] = {"handlers": ["shokei"], "level": "INFO", "propagate": False}
    return config
