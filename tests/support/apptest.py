"""Opening a page of the app in Streamlit's AppTest, and reading what it shows and offers.

One way for every page test: :func:`open_page` (through the ``open_page`` fixture in conftest,
which also sets the warehouse) switches to the page with the URL parameters, runs it, and fails
on any exception. :data:`TIMEOUT_S` is the one timeout for a run.

AppTest keeps a download button's bytes in an in-memory media store it creates for each run and
drops afterwards; :func:`keep_downloads` records what each run stores, so :func:`downloads` can
return every button's bytes by its key. A button whose file is built when clicked (a deferred
download) is clicked the way the server does it: its run's media manager executes the builder.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"
TIMEOUT_S = 120  # one AppTest run on two busy cores; the first one of a process opens the warehouse
_STORED: dict[str, bytes] = {}  # media file id -> bytes, over every run of the test
_MANAGERS: list[MediaFileManager] = []  # every run's media manager (deferred downloads live there)
# AppTest finds a page by its file name until st.navigation has registered the pages in a first
# run; a page whose url_path is its file name (or the default page) needs no such run.
_URL_PATHS = set(re.findall(r'url_path="([^"]+)"', APP.read_text(encoding="utf-8")))
_DEFAULT_PAGE = "home"


class _KeepingStorage(MemoryMediaFileStorage):
    """AppTest's own media store, remembering every file it was given."""

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
        _STORED[file_id] = self.get_file(file_id).content
        return file_id


class _KnownManager(MediaFileManager):
    """AppTest's own media manager, remembered so a deferred download can be run after the run."""

    def __init__(self, storage):
        super().__init__(storage)
        _MANAGERS.append(self)


def keep_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make AppTest runs of this test keep their download bytes (see :func:`downloads`)."""
    _STORED.clear()
    _MANAGERS.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", _KeepingStorage)
    monkeypatch.setattr(app_test_module, "MediaFileManager", _KnownManager)


def _clicked(file_id: str) -> bytes:
    """A deferred download's bytes, built as the server builds them when the reader clicks."""
    for manager in reversed(_MANAGERS):  # the latest run first: it made the page's buttons
        with contextlib.suppress(MediaFileStorageError):  # not this run's button
            return _STORED[Path(manager.execute_deferred(file_id)).stem]
    raise AssertionError(f"no run holds the deferred download {file_id}")


def page_path(page: str) -> str:
    """``dashboard/views/<page>.py`` for a page's stem; a path is returned unchanged."""
    return page if page.endswith(".py") else f"dashboard/views/{page}.py"


def new_app() -> AppTest:
    """The app in AppTest, not run yet (for a test that drives several pages in one session)."""
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)


def open_page(page: str, **params: str) -> AppTest:
    """The app switched to ``page`` with ``params`` in the URL, run; no exception raised."""
    at = new_app()
    for key, value in params.items():
        at.query_params[key] = value
    stem = Path(page_path(page)).stem
    if stem not in _URL_PATHS and stem != _DEFAULT_PAGE:
        at.run()  # registers the pages of st.navigation, so a url_path other than the file name is found
    at.switch_page(page_path(page)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def downloads(at: AppTest) -> dict[str, bytes]:
    """Every download button on the page: ``{key: the file's bytes}`` (needs :func:`keep_downloads`)."""
    found = {}
    for button in at.get("download_button"):
        if button.proto.deferred_file_id:
            found[button.key] = _clicked(button.proto.deferred_file_id)
            continue
        file_id = Path(button.proto.url).stem
        assert file_id in _STORED, f"no bytes kept for download {button.key!r}: is keep_downloads active?"
        found[button.key] = _STORED[file_id]
    return found


def table_with(at: AppTest, column: str, count: int = 1) -> pd.DataFrame:
    """The first dataframe on the page that has ``column`` (AppTest does not expose a dataframe's
    key, so a table is found by a column only it has); ``count`` such tables expected."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(frames) == count, [list(d.value.columns) for d in at.dataframe]
    return frames[0]


def page_text(at: AppTest) -> str:
    """Every notice, caption, Markdown block, title and subheader on the page, as one text."""
    kinds = (at.title, at.header, at.subheader, at.markdown, at.caption, at.info, at.warning, at.success, at.error)
    return " ".join(str(e.value) for kind in kinds for e in kind)
