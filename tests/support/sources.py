"""Source folders written by tests: contract CSVs from text."""

from __future__ import annotations

from pathlib import Path


def write_source(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write a source folder from {file name: text or bytes}; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder
