"""The app's error log: one JSON line per failure, with the context needed to reproduce it.

Each line names what failed and where: the page, the URL query (which reproduces the view),
the session, the warehouse file and data version, the query and its parameters, and the
exception with its traceback. Lines go to stderr (where ``streamlit run`` under systemd or a
container runtime sends them to the journal / log collector). No streamlit import at module
level: ``dashboard.warehouse`` logs through here and must stay usable without a running app.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import traceback
from typing import Any

__all__ = ["LOGGER_NAME", "LEVEL_ENV", "configure_logging", "log_error", "request_context"]

LOGGER_NAME = "exemplar.dashboard"  # separate from streamlit's own loggers so it can be routed alone
LEVEL_ENV = "EXEMPLAR_LOG_LEVEL"  # e.g. DEBUG while investigating; INFO otherwise
logger = logging.getLogger(LOGGER_NAME)


class _JsonLines(logging.Formatter):
    """Formats a record as one JSON object; the message is the event, extras are its context."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update(getattr(record, "context", {}))
        return json.dumps(entry, default=str, sort_keys=True)


def configure_logging() -> logging.Logger:
    """Attach the JSON-lines stderr handler to the app's logger once; returns the logger."""
    if not any(getattr(h, "_exemplar", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_JsonLines())
        handler._exemplar = True  # type: ignore[attr-defined]  # marks our handler: idempotent setup
        logger.addHandler(handler)
        logger.setLevel(os.environ.get(LEVEL_ENV, "INFO").upper())
        logger.propagate = False  # one line per error, not a second copy via the root logger
    return logger


def request_context() -> dict[str, Any]:
    """Page, URL query and session of the current script run; empty outside a running app."""
    try:
        import streamlit as st
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        if ctx is None:
            return {}
        return {
            "session": ctx.session_id,
            "page": ctx.page_script_hash and _page_name(ctx),
            "query": st.query_params.to_dict(),
        }
    except Exception:  # context is a nicety; never let it hide the error being logged
        return {}


def _page_name(ctx: Any) -> str:
    pages = ctx.pages_manager.get_pages() if hasattr(ctx, "pages_manager") else {}
    page = pages.get(ctx.page_script_hash, {}) if isinstance(pages, dict) else {}
    return str(page.get("url_pathname") or page.get("page_name") or ctx.page_script_hash)


def log_error(event: str, exc: BaseException | None = None, **context: Any) -> None:
    """Log ``event`` at ERROR with the request context, ``context`` and the exception's traceback."""
    configure_logging()
    details: dict[str, Any] = {**request_context(), **context}
    if exc is not None:
        details["error"] = f"{type(exc).__name__}: {exc}"
        details["traceback"] = "".join(traceback.format_exception(exc)).strip()
    logger.error(event, extra={"context": details})
