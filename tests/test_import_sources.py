"""Importer options a real release needs: metadata joined from several files (the publisher's and
a table of our own), field value maps, notes fields, codes that are no council (listed with
the reason), group descriptions for family sets, provenance, and several files as one version."""

from __future__ import annotations

import json
import textwrap

import pytest

from etl.importer import ImportJob, import_file, import_files
from etl.importer.read import ReadError
from etl.importer.spec import SpecError, read_spec
from etl.load import Source
from etl.warehouse import WarehousePaths
from tests.support.sources import query_warehouse, write_source
from tests.support.sources import write_dedented as write

DATA = """
    areacd,indicator,period,observation,status
    E08000025,Claimant Count,2019-01-01/P1Y,4.5,
    E08000035,Claimant Count,2019-01-01/P1Y,,x
    E08000025,Happiness,2019-04-01/P1Y,7.1,
    E08000035,Happiness,2019-04-01/P1Y,,u
    E11000001,Happiness,2019-04-01/P1Y,7.4,
"""
META = """
    indicator,label,topic,unit,source_org,source_url,caveats,decimal_places
    Claimant Count,Claimant count,economy,%,DWP,https://example.org/cc,"Counts claims.",1
    Happiness,Happiness rating,health and wellbeing,score,ONS,https://example.org/h,,2
"""
POLARITY = """
    indicator,polarity,reason
    Claimant Count,lower,Lower is better: fewer residents out of work.
    Happiness,higher,Higher is better: residents report feeling happier.
"""
SPEC = """
    source_name = "multi"
    publisher = "Test Office"
    licence = "Open Government Licence v3.0"
    [councils]
    column = "areacd"
    by = "code"
    [councils.not_councils]
    "E11000001" = "a metropolitan county: no council since 1986"
    [shape]
    form = "long"
    indicator_column = "indicator"
    period_column = "period"
    value_column = "observation"
    status_column = "status"
    [values]
    markers = { "u" = "suppressed" }
    [indicators]
    file = ["meta.csv", "polarity.csv"]
    columns = { indicator = "indicator", name = "label", theme = "topic", unit = "unit", source = "source_org", source_url = "source_url", caveats = "caveats", decimals = "decimal_places", polarity = "polarity", polarity_reason = "reason" }
    value_map = { theme = { "economy" = "Economy", "health and wellbeing" = "Health and wellbeing" } }
"""


@pytest.fixture
def release(tmp_path):
    """A small release in the ONS shape: data, the publisher's metadata, our polarity table, a spec."""
    write(tmp_path, "meta.csv", META)
    write(tmp_path, "polarity.csv", POLARITY)
    return write(tmp_path, "data.csv", DATA), write(tmp_path, "spec.toml", SPEC)


def test_metadata_files_are_joined_on_the_indicator_and_notes_are_stored(release, warehouse_path, matcher):
    data, spec = release
    report = import_file(data, spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    assert query_warehouse(
        warehouse_path,
        "SELECT indicator_id, name, theme, unit, polarity, polarity_reason, source, source_url, caveats, decimals "
        "FROM indicators ORDER BY 1",
    ) == [
        ("claimant_count", "Claimant count", "Economy", "%", "lower", "Lower is better: fewer residents out of work.",
         "DWP", "https://example.org/cc", "Counts claims.", 1),
        ("happiness", "Happiness rating", "Health and wellbeing", "score", "higher",
         "Higher is better: residents report feeling happier.", "ONS", "https://example.org/h", None, 2),
    ]
    assert query_warehouse(warehouse_path, "SELECT authority_code, indicator_id, value, status FROM indicator_values "
                                           "ORDER BY 2, 1") == [
        ("E08000025", "claimant_count", 4.5, None),
        ("E08000035", "claimant_count", None, "missing"),  # x: not available
        ("E08000025", "happiness", 7.1, None),
        ("E08000035", "happiness", None, "suppressed"),  # u: low reliability, withheld
    ]
    assert query_warehouse(warehouse_path, "SELECT DISTINCT publisher, licence FROM source_files") == [
        ("Test Office", "Open Government Licence v3.0")
    ]


def test_codes_that_are_no_council_are_left_out_and_listed_with_the_reason(release, matcher):
    data, spec = release
    report = import_file(data, spec, dry_run=True, matcher=matcher)
    assert report.ok, report.problems
    assert report.not_councils == [("E11000001", "a metropolitan county: no council since 1986", 1)]
    assert report.rows_unmatched == 0 and report.values_written == 4
    from etl.importer import format_report

    assert "'E11000001' (1 rows): a metropolitan county: no council since 1986" in format_report(report)


def test_listing_a_real_council_as_no_council_is_a_problem(release, matcher):
    data, spec = release
    spec.write_text(spec.read_text().replace('"E11000001" =', '"E08000025" ='))
    report = import_file(data, spec, dry_run=True, matcher=matcher)
    assert not report.ok
    problem = next(p for p in report.problems if "not_councils" in p.reason)
    assert (problem.row, problem.column, problem.value) == (2, "areacd", "E08000025")
    assert "Birmingham" in problem.reason


def test_a_polarity_word_the_table_lacks_names_the_table_row_and_column(release, matcher):
    data, spec = release
    (spec.parent / "polarity.csv").write_text(
        textwrap.dedent(POLARITY).lstrip().replace("Happiness,higher", "Happiness,better"), encoding="utf-8"
    )
    report = import_file(data, spec, dry_run=True, matcher=matcher)
    assert [(p.file, p.row, p.column, p.value) for p in report.problems] == [
        ("polarity.csv", 3, "polarity", "better")
    ]


def test_an_indicator_missing_from_the_polarity_table_is_a_problem_naming_the_table(release, matcher):
    data, spec = release
    (spec.parent / "polarity.csv").write_text(textwrap.dedent(POLARITY).lstrip().splitlines()[0] + "\n"
                                              + textwrap.dedent(POLARITY).lstrip().splitlines()[1] + "\n")
    report = import_file(data, spec, dry_run=True, matcher=matcher)
    assert [(p.file, p.row, p.column, p.value) for p in report.problems] == [("polarity.csv", None, "polarity", None)]


def test_a_mapped_column_no_metadata_file_holds_is_refused(release, matcher):
    data, spec = release
    spec.write_text(spec.read_text().replace('polarity_reason = "reason"', 'polarity_reason = "why"'))
    with pytest.raises(ReadError, match=r"indicators\.columns\.polarity_reason names column 'why'"):
        import_file(data, spec, dry_run=True, matcher=matcher)


def test_value_map_rejects_polarity_and_unknown_fields(tmp_path):
    spec = write(tmp_path, "spec.toml", SPEC.replace("value_map = { theme", "value_map = { polarity"))
    with pytest.raises(SpecError, match=r"indicators.value_map\]: unknown key polarity"):
        read_spec(spec)


def test_family_groups_get_the_publishers_descriptions(tmp_path, warehouse_path, matcher):
    write(tmp_path, "clusters.csv", """
        AREACD,Global,Economic
        E08000025,B,A
        E08000035,B,C
        E08000003,A,A
        E09000001,[x],C
    """)
    (tmp_path / "descriptions.json").write_text(json.dumps({
        "global": {"a": "Rural areas.", "b": "Big cities."},
        "economic": {"a": "Services.", "c": "Manufacturing."},
    }), encoding="utf-8-sig")
    spec = write(tmp_path, "spec.toml", """
        source_name = "clusters"
        kind = "family"
        [set]
        id = "clusters"
        name = "Clusters"
        method = "Test clusters"
        [councils]
        column = "AREACD"
        by = "gss"
        [family]
        group_columns = ["Global", "Economic"]
        descriptions = "descriptions.json"
        no_group = ["[x]"]
    """)
    report = import_file(tmp_path / "clusters.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    assert report.group_descriptions == 4 and report.without_group == 1
    # "[x]" is no group; "C" is a group, never the suppression marker it also is for values
    assert query_warehouse(warehouse_path, "SELECT set_id, group_id FROM peer_set_members "
                                           "WHERE authority_code = 'E09000001'") == [("clusters-economic", "C")]
    assert query_warehouse(warehouse_path, "SELECT set_id, group_id, description FROM peer_set_groups ORDER BY 1, 2") == [
        ("clusters-economic", "A", "Services."),
        ("clusters-economic", "C", "Manufacturing."),
        ("clusters-global", "A", "Rural areas."),
        ("clusters-global", "B", "Big cities."),
    ]
    # the Peer groups page reads each council's clusters with their descriptions
    from dashboard.peers import sets
    from dashboard.warehouse import FileWarehouse

    wh = FileWarehouse(warehouse_path)
    try:
        groups = sets.council_groups(wh, "E08000025")
    finally:
        wh.close()
    assert groups[["set_id", "group_id", "councils", "description"]].values.tolist() == [
        ["clusters-economic", "A", 2, "Services."],
        ["clusters-global", "B", 2, "Big cities."],
    ]


def test_descriptions_without_a_family_columns_entry_are_refused(tmp_path, matcher):
    write(tmp_path, "clusters.csv", "AREACD,Global\nE08000025,B\n")
    (tmp_path / "descriptions.json").write_text(json.dumps({"economic": {"b": "x"}}), encoding="utf-8")
    spec = write(tmp_path, "spec.toml", """
        source_name = "clusters"
        kind = "family"
        [set]
        id = "c"
        name = "C"
        method = "M"
        [councils]
        column = "AREACD"
        by = "gss"
        [family]
        group_column = "Global"
        descriptions = "descriptions.json"
    """)
    with pytest.raises(ReadError, match="no descriptions for family column 'Global'"):
        import_file(tmp_path / "clusters.csv", spec, dry_run=True, matcher=matcher)


# -- several files as one version -----------------------------------------------------------------
def families_spec(tmp_path, name: str = "families"):
    write(tmp_path, "families.csv", "Council,Family\nBirmingham,1\nLeeds,1\n")
    return write(tmp_path, f"{name}.toml", f"""
        source_name = "{name}"
        kind = "family"
        [set]
        id = "{name}"
        name = "Families"
        method = "Test"
        [councils]
        column = "Council"
        [family]
        group_column = "Family"
    """)


def test_several_files_and_a_contract_folder_publish_one_version(release, tmp_path, warehouse_path, matcher):
    data, spec = release
    extra = write_source(tmp_path / "answers", {
        "questions.csv": "question_id,theme,role,text\nq1,Digital,driver,Do you?\n",
        "responses.csv": "authority_code,round,question_id,score\nE08000025,2024,q1,3\n",
    })
    jobs = [ImportJob(data, spec), ImportJob(tmp_path / "families.csv", families_spec(tmp_path))]
    reports, result = import_files(jobs, warehouse_path, extra_sources=[Source.of(extra, synthetic=True)],
                                   matcher=matcher)
    assert result is not None and result.outcome == "published", [r.problems for r in reports]
    assert [r.version for r in reports] == [result.version, result.version]
    assert WarehousePaths(warehouse_path).published_versions() == [result.version]  # one version for all
    assert query_warehouse(warehouse_path, "SELECT source_name, bool_or(is_synthetic) FROM source_files "
                                           "GROUP BY 1 ORDER BY 1") == [
        ("answers", True), ("families", False), ("multi", False)]


def test_a_bad_row_in_one_of_several_files_publishes_nothing_and_names_its_file(release, tmp_path, warehouse_path,
                                                                               matcher):
    data, spec = release
    other = families_spec(tmp_path)
    bad = write(tmp_path, "families.csv", "Council,Family\nBirmingham,1\nBirmingham,2\n")  # two groups
    reports, result = import_files([ImportJob(data, spec), ImportJob(bad, other)], warehouse_path, matcher=matcher)
    assert result is None and not reports[0].problems
    assert [(p.file, p.row) for p in reports[1].problems] == [("families.csv", 3)]
    assert WarehousePaths(warehouse_path).current_file() is None


def test_a_load_problem_of_one_file_is_traced_to_that_file(release, tmp_path, warehouse_path, matcher):
    data, spec = release
    # the families file is fine on its own rows; its set id clashes with a set the extra source defines
    extra = write_source(tmp_path / "other", {
        "peer_sets.csv": "set_id,name,kind,method\nfamilies,Other,family,Other\n",
        "peer_set_members.csv": "set_id,authority_code,group_id\nfamilies,E08000025,9\n",
    })
    jobs = [ImportJob(data, spec), ImportJob(tmp_path / "families.csv", families_spec(tmp_path))]
    reports, result = import_files(jobs, warehouse_path, extra_sources=[Source.of(extra)], matcher=matcher)
    assert result is not None and result.outcome == "failed"
    assert all(not r.ok for r in reports)
    problems = [p for r in reports for p in r.problems]
    assert any("peer set" in p.reason for p in problems), problems
    assert WarehousePaths(warehouse_path).current_file() is None


def test_two_files_under_one_source_name_are_refused(release, tmp_path, matcher):
    data, spec = release
    with pytest.raises(ValueError, match="source name 'multi' is given twice"):
        import_files([ImportJob(data, spec), ImportJob(data, spec)], matcher=matcher)


def test_a_quality_flag_given_only_in_a_note_becomes_the_values_status(tmp_path, warehouse_path, matcher):
    write(tmp_path, "meta.csv", META)
    write(tmp_path, "polarity.csv", POLARITY)
    data = write(tmp_path, "data.csv", """
        areacd,indicator,period,observation,status,notes
        E08000025,Claimant Count,2019-01-01/P1Y,4.5,,Estimate and confidence interval UNRELIABLE (3-9)
        E08000035,Claimant Count,2019-01-01/P1Y,5.5,,Obsolete code since 2023
        E08000003,Claimant Count,2019-01-01/P1Y,,x,Estimate unreliable
    """)
    spec = write(tmp_path, "spec.toml", SPEC.replace(
        'status_column = "status"', 'status_column = "status"\nnote_column = "notes"'
    ).replace('markers = { "u" = "suppressed" }', 'markers = { "u" = "suppressed" }\nnote_statuses = { "unreliable" = "unreliable" }'))
    report = import_file(data, spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    assert query_warehouse(warehouse_path, "SELECT authority_code, value, status FROM indicator_values ORDER BY 1") == [
        ("E08000003", None, "missing"),  # the status column beats the note
        ("E08000025", 4.5, "unreliable"),
        ("E08000035", 5.5, None),  # a note saying nothing about quality
    ]


def test_note_statuses_need_a_note_column_and_a_known_status(tmp_path):
    spec = write(tmp_path, "spec.toml", SPEC.replace(
        'markers = { "u" = "suppressed" }', 'markers = { "u" = "suppressed" }\nnote_statuses = { "x" = "unreliable" }'))
    with pytest.raises(SpecError, match="give \\[shape\\] note_column"):
        read_spec(spec)
    spec.write_text(spec.read_text().replace('status_column = "status"', 'status_column = "status"\nnote_column = "n"')
                    .replace('"x" = "unreliable"', '"x" = "dubious"'))
    with pytest.raises(SpecError, match="must be one of suppressed"):
        read_spec(spec)
