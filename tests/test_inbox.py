"""``python -m etl load-inbox``: pending submissions are checked again and published through
the atomic load; later submissions replace earlier ones for the same council and round; every
submission is kept in history; a failing one stays in the inbox and nothing published is lost."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard.selfassessment import results as sa
from dashboard.selfassessment import template
from dashboard.warehouse import FileWarehouse
from etl import cli, submission
from etl.inbox import OUTCOME_NAME, history_dir, load_inbox, pending_submissions, source_name
from etl.warehouse import WarehousePaths
from tests.support import sa_fixture
from tests.support.stamps import fixed_stamp

ROUND = "2024"


@pytest.fixture
def live(sa_live, tmp_path):
    return sa_fixture.copy_warehouse(sa_live, tmp_path / "wh")


def _submit(live, sa_questions, council, score, round_label=ROUND, published=True, filename="f.csv",
            when=None):
    frame = sa_fixture.filled_rows(template.template_csv(sa_questions, council, round_label, stamp=fixed_stamp()), score)
    data = sa_fixture.to_csv_bytes(frame)
    assert submission.check_upload(data, filename, council, round_label, sa_questions).ok
    return submission.write_to_inbox(WarehousePaths(live).inbox, data, filename, council, round_label,
                                     submission.framework_id(sa_questions), published=published, now=when)


def _maturity(live, codes, round_label=None):
    wh = FileWarehouse(live)
    try:
        return sa.mean_maturity(wh, codes, round_label)
    finally:
        wh.close()


def _raw_responses(live):
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("ATTACH ? AS w (READ_ONLY)", [str(WarehousePaths(live).current_file())])
    try:
        return con.execute("SELECT * FROM w.responses").df()
    finally:
        con.close()


def test_submission_is_published_and_moved_to_history(live, sa_questions, sa_parts):
    council = sa_parts["silent_london"][0]
    folder = _submit(live, sa_questions, council, 4)
    before = WarehousePaths(live).current_version()
    assert cli.main(["--warehouse", str(live), "load-inbox"]) == 0
    paths = WarehousePaths(live)
    assert paths.current_version() != before
    got = _maturity(live, [council], ROUND)
    assert got["mean_maturity"].tolist() == [4.0]
    assert pending_submissions(paths) == []
    kept = history_dir(paths) / folder.name
    outcome = json.loads((kept / OUTCOME_NAME).read_text())
    assert outcome["outcome"] == "published"
    assert outcome["source_name"] == source_name(council, ROUND)
    raw = _raw_responses(live)
    assert set(raw.loc[raw["authority_code"] == council, "source_name"]) == {source_name(council, ROUND)}


def test_later_submission_replaces_earlier_and_both_are_kept(live, sa_questions, sa_parts):
    import datetime as dt

    council = sa_parts["silent_london"][1]
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    first = _submit(live, sa_questions, council, 2, when=t0)
    assert load_inbox(live).ok
    second = _submit(live, sa_questions, council, 5, when=t0 + dt.timedelta(days=1))
    third = _submit(live, sa_questions, council, 3, when=t0 + dt.timedelta(days=2))
    report = load_inbox(live)
    assert report.published == [third.name] and report.superseded == [second.name]
    assert _maturity(live, [council], ROUND)["mean_maturity"].tolist() == [3.0]
    raw = _raw_responses(live)
    assert len(raw[(raw["authority_code"] == council) & (raw["round"] == ROUND)]) == len(sa_questions)
    history = {p.name for p in history_dir(WarehousePaths(live)).iterdir()}
    assert {first.name, second.name, third.name} <= history


def test_submission_replaces_bulk_loaded_answers_for_that_council_and_round(live, sa_questions, sa_parts):
    council = sa_parts["responders_2024"][0]
    old_2023 = _maturity(live, [council], "2023")["mean_maturity"].tolist()
    _submit(live, sa_questions, council, 1)
    assert load_inbox(live).ok
    assert _maturity(live, [council], ROUND)["mean_maturity"].tolist() == [1.0]
    assert _maturity(live, [council], "2023")["mean_maturity"].tolist() == old_2023  # other rounds kept


def test_unpublished_submission_is_stored_but_never_shown(live, sa_questions, sa_parts):
    council = sa_parts["silent_london"][2]
    _submit(live, sa_questions, council, 5, published=False)
    assert load_inbox(live).ok
    raw = _raw_responses(live)
    mine = raw[raw["authority_code"] == council]
    assert len(mine) == len(sa_questions) and not mine["published"].any()
    assert _maturity(live, [council]).empty


def test_failing_submission_is_reported_and_left_while_good_ones_publish(live, sa_questions, sa_parts, capsys):
    good_council, bad_council = sa_parts["silent_london"][3], sa_parts["silent_london"][4]
    good = _submit(live, sa_questions, good_council, 4)
    bad = _submit(live, sa_questions, bad_council, 4)
    (bad / "submission.csv").write_bytes(b"tampered")  # no longer what the app checked
    others_before = _maturity(live, sa_parts["responders_2024"], ROUND)
    assert cli.main(["--warehouse", str(live), "load-inbox"]) == 1
    err = capsys.readouterr().err
    assert bad.name in err and "sha256" in err
    paths = WarehousePaths(live)
    assert [p.name for p in pending_submissions(paths)] == [bad.name]
    assert (history_dir(paths) / good.name).is_dir()
    assert _maturity(live, [good_council], ROUND)["mean_maturity"].tolist() == [4.0]
    pd.testing.assert_frame_equal(_maturity(live, sa_parts["responders_2024"], ROUND), others_before)


def test_submission_for_an_old_framework_fails_the_second_check(live, sa_questions, sa_parts):
    council = sa_parts["silent_london"][5]
    frame = sa_fixture.filled_rows(template.template_csv(sa_questions, council, ROUND, stamp=fixed_stamp()), 3)
    frame["framework"] = "fw-0123456789ab"
    data = sa_fixture.to_csv_bytes(frame)  # written straight to the inbox, as if the app were older
    folder = submission.write_to_inbox(WarehousePaths(live).inbox, data, "f.csv", council, ROUND, "fw-old")
    before = sa_fixture.tree_hash(live.parent / "exemplar.versions")
    report = load_inbox(live)
    assert not report.ok and folder.name in report.failed
    assert any("wrong framework" in r for r in report.failed[folder.name])
    assert sa_fixture.tree_hash(live.parent / "exemplar.versions") == before
    assert pending_submissions(WarehousePaths(live)) == [folder]


def test_empty_inbox_is_fine(live):
    assert cli.main(["--warehouse", str(live), "load-inbox"]) == 0


def test_half_written_submission_is_ignored(live, sa_questions, sa_parts):
    inbox = WarehousePaths(live).inbox
    (inbox / f"{submission.INCOMING_PREFIX}abc").mkdir(parents=True)
    assert pending_submissions(WarehousePaths(live)) == []


# -- planted folders (issue 16 §4): each submission is checked and published or refused on its own
_WATCHED: list[str] = []  # folders outside the inbox that nothing may open
_OPENED: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCHED and isinstance(args[0], str | bytes | os.PathLike):
        path = os.path.realpath(os.fsdecode(args[0]))
        if any(path.startswith(w) for w in _WATCHED):
            _OPENED.append(path)


sys.addaudithook(_audit)  # hooks cannot be removed; this one only records while _WATCHED is set


@pytest.fixture
def watch_opens(tmp_path):
    """A folder outside the inbox, and a record of every attempt to open anything in it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    _OPENED.clear()
    _WATCHED.append(os.path.realpath(outside))
    yield outside, _OPENED
    _WATCHED.clear()


def _valid_files(sa_questions, council, published=True):
    """(manifest, data) exactly as the app would write them for ``council``."""
    frame = sa_fixture.filled_rows(template.template_csv(sa_questions, council, ROUND, stamp=fixed_stamp()), 4)
    data = sa_fixture.to_csv_bytes(frame)
    manifest = {"council": council, "round": ROUND, "sha256": submission.sha256_hex(data), "size": len(data),
                "received_at": "2026-01-01T00:00:00+00:00", "original_filename": "f.csv",
                "file": "submission.csv", "framework": submission.framework_id(sa_questions),
                "published": published}
    return manifest, data


def _plant(inbox: Path, name: str, manifest: dict | bytes | None, files: dict[str, bytes] | None = None) -> Path:
    folder = inbox / name
    folder.mkdir(parents=True)
    if manifest is not None:
        raw = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
        (folder / submission.MANIFEST_NAME).write_bytes(raw)
    for file, data in (files or {}).items():
        (folder / file).write_bytes(data)
    return folder


def _planted_cases(inbox: Path, outside: Path, sa_questions, council) -> dict[str, tuple[str, str]]:
    """Plant one hostile folder per case; returns {case: (folder name, phrase of the refusal)}."""
    manifest, data = _valid_files(sa_questions, council)
    secret = outside / "secret.csv"
    secret.write_bytes(data)  # a file that would pass every check, were it followed
    (outside / submission.MANIFEST_NAME).write_text(json.dumps({**manifest, "file": "secret.csv"}))
    stolen = {**manifest, "sha256": submission.sha256_hex(data)}
    cases = {}

    def plant(case, phrase, manifest_value, files=None):
        name = f"2026010{len(cases) % 10}T0000000{len(cases):02d}Z-planted"
        cases[case] = (name, phrase)
        return _plant(inbox, name, manifest_value, files)

    plant("manifest not json", "manifest cannot be read", b"{")
    plant("manifest a json list", "not a JSON object", b"[1, 2]")
    plant("deeply nested manifest", "manifest cannot be read", b"[" * 50_000)
    plant("huge manifest", "larger than", json.dumps({**manifest, "pad": "x" * 100_000}).encode(), {"submission.csv": data})
    plant("council with a path", "not an authority code", {**manifest, "council": "E08000025/../../x"},
          {"submission.csv": data})
    plant("council not in the register", "not an authority in the published register",
          {**manifest, "council": "E99999999"}, {"submission.csv": data})
    folder = plant("file climbs out of the inbox", "is not one the app stores", None)
    (folder / submission.MANIFEST_NAME).write_text(json.dumps({**stolen, "file": os.path.relpath(secret, folder)}))
    plant("file is an absolute path", "is not one the app stores", {**stolen, "file": str(secret)})
    folder = plant("manifest is a link", "manifest cannot be read", None, {"submission.csv": data})
    (folder / submission.MANIFEST_NAME).symlink_to(outside / submission.MANIFEST_NAME)
    folder = plant("stored file is a link", "stored file cannot be read", stolen)
    (folder / "submission.csv").symlink_to(secret)
    plant("published written as text", "is not true or false", {**manifest, "published": "false"},
          {"submission.csv": data})
    plant("sha256 not hex", "not a SHA-256", {**manifest, "sha256": "../x"}, {"submission.csv": data})
    linked = outside / "linked-folder"
    _plant(linked.parent, linked.name, stolen, {"submission.csv": data})
    name = "20260109T000000099Z-linked"
    (inbox / name).symlink_to(linked, target_is_directory=True)
    cases["folder is a link"] = (name, "symbolic link")
    return cases


def test_planted_folders_are_refused_one_by_one_and_the_genuine_one_publishes(live, sa_questions, sa_parts,
                                                                             watch_opens, capsys):
    outside, opened = watch_opens
    genuine_council, linked_council = sa_parts["silent_london"][0], sa_parts["silent_london"][1]
    inbox = WarehousePaths(live).inbox
    inbox.mkdir(parents=True, exist_ok=True)
    cases = _planted_cases(inbox, outside, sa_questions, sa_parts["silent_london"][2])
    genuine = _submit(live, sa_questions, genuine_council, 4)
    # A genuine submission with an outcome.json planted as a link out of the inbox:
    linked = _submit(live, sa_questions, linked_council, 2)
    (linked / OUTCOME_NAME).symlink_to(outside / "secret.csv")
    outside_before = sa_fixture.tree_hash(outside)
    opened.clear()  # planting them opened the outside files; from here on nothing may

    assert cli.main(["--warehouse", str(live), "load-inbox"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    report = load_inbox(live)  # a second run: the planted folders still fail, and only they
    for case, (name, phrase) in cases.items():
        assert name in report.failed, case
        assert any(phrase in reason for reason in report.failed[name]), (case, report.failed[name])
        assert f"FAILED, left in the inbox: {name}" in err, case
    assert set(report.failed) == {name for name, _ in cases.values()}
    assert _maturity(live, [genuine_council], ROUND)["mean_maturity"].tolist() == [4.0]
    assert _maturity(live, [linked_council], ROUND)["mean_maturity"].tolist() == [2.0]
    history = history_dir(WarehousePaths(live))
    assert {genuine.name, linked.name} <= {p.name for p in history.iterdir()}
    written = history / linked.name / OUTCOME_NAME
    assert not written.is_symlink() and json.loads(written.read_text())["outcome"] == "published"
    assert opened == [], opened  # nothing outside the inbox was ever opened
    _WATCHED.clear()
    assert sa_fixture.tree_hash(outside) == outside_before


def test_a_fifo_in_place_of_the_stored_file_is_refused_without_blocking(live, sa_questions, sa_parts):
    manifest, _data = _valid_files(sa_questions, sa_parts["silent_london"][5])
    folder = _plant(WarehousePaths(live).inbox, "20260101T000000000000Z-fifo", manifest)
    os.mkfifo(folder / "submission.csv")
    report = load_inbox(live)
    assert any("not a regular file" in r for r in report.failed[folder.name]), report.failed


def test_a_history_folder_that_is_a_link_stops_the_run_before_anything_moves(live, sa_questions, sa_parts,
                                                                           watch_opens):
    outside, _opened = watch_opens
    folder = _submit(live, sa_questions, sa_parts["silent_london"][3], 3)
    paths = WarehousePaths(live)
    history_dir(paths).symlink_to(outside, target_is_directory=True)
    before = paths.current_version()
    report = load_inbox(live)
    assert "symbolic link" in report.failed[folder.name][0]
    assert paths.current_version() == before and list(outside.iterdir()) == []
    assert pending_submissions(paths) == [folder]


def test_one_council_written_two_ways_is_one_submission_not_two_sources(live, sa_questions, sa_parts):
    import datetime as dt

    council = sa_parts["silent_london"][4]
    t0 = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    manifest, data = _valid_files(sa_questions, council)
    lower = _plant(WarehousePaths(live).inbox, f"{t0:%Y%m%dT%H%M%S%f}Z-lower",
                   {**manifest, "council": council.lower()}, {"submission.csv": data})
    upper = _submit(live, sa_questions, council, 2, when=t0 + dt.timedelta(days=1))
    report = load_inbox(live)
    assert report.ok and report.published == [upper.name] and report.superseded == [lower.name]
    raw = _raw_responses(live)
    mine = raw[(raw["authority_code"] == council) & (raw["round"] == ROUND)]
    assert len(mine) == len(sa_questions) and set(mine["source_name"]) == {source_name(council, ROUND)}
    assert _maturity(live, [council], ROUND)["mean_maturity"].tolist() == [2.0]
