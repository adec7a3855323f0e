"""``python -m etl load-inbox``: pending submissions are checked again and published through
the atomic load; later submissions replace earlier ones for the same council and round; every
submission is kept in history; a failing one stays in the inbox and nothing published is lost."""

from __future__ import annotations

import json

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
