"""Process logs: uvicorn's and Shokei's records as plain text (the default) or as one JSON object a
line (`SHOKEI_LOG_FORMAT=json`), for a log shipper (journald, a container runtime, Vector,
Fluent Bit) to index without parsing text.

A JSON line always has `time` (UTC, ISO 8601), `level`, `logger` and `message`; an access line
adds `client`, `method`, `path`, `http_version` and `status`; an error adds `exception` (the
traceback). The audit ledger is the record of who did what: logs are for operations only.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

FORMATS = ("text", "json")
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


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
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(log_format: str) -> dict[str, Any] | None:
    """The `logging.config.dictConfig` for `shokei serve` and `shokei worker`: None keeps
    uvicorn's own text format; "json" sends uvicorn's and Shokei's records, as JSON lines, to
    standard error."""
    if log_format != "json":
        return None
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"json": handler},
        "loggers": {
            name: {"handlers": ["json"], "level": "INFO", "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "shokei")
        },
    }
