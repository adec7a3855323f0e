"""Maturity against outcomes: each council's mean self-assessment maturity against its
performance, in four quadrants split at the peer group's medians."""

import streamlit as st

from dashboard.common.disclosure import hidden_reason
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name, markdown
from dashboard.common.widgets import chart_table_download
from dashboard.selfassessment.charts import quadrant_chart
from dashboard.selfassessment.quadrant import QUADRANT_SHORT, QUADRANTS
from dashboard.views.compose import choose_council_round_and_group, quadrant_for_group

wh = open_warehouse()
st.title("Maturity against outcomes")
st.write(
    "Does a council that rates itself as mature also perform well? Each council's mean "
    "maturity on the challenge questions is set against its outcome score in the chosen "
    "period. The lines split the peer group at its medians; a council at a median counts "
    "as high."
)
choice = choose_council_round_and_group(wh, period_label="Outcome period")
council, council_name, period = choice.council, choice.council_name, choice.period
round_label, group = choice.round_label, choice.group

quadrant, method = quadrant_for_group(wh, group.codes, round_label, period)
st.caption(f"Outcome score: {markdown(method)} in {markdown(period)}, within the peer group.")
if not quadrant.disclosed:
    st.info(
        hidden_reason(quadrant.respondents, "The quadrants").replace(
            "have published responses", "have both published responses and an outcome score"
        )
    )
    st.stop()

names = wh.query("sa_councils")[["authority_code", "short_name"]]
table = quadrant.table.merge(names, on="authority_code", how="left")
counts = table.groupby("quadrant").size().rename("councils").reset_index()
cols = st.columns(len(QUADRANTS))
for col, (key, label) in zip(cols, QUADRANTS.items(), strict=True):
    n = int(counts.loc[counts["quadrant"] == label, "councils"].sum())
    col.metric(QUADRANT_SHORT[key], n, help=label)
st.caption(
    f"{quadrant.respondents} of {group.size} councils in the group have both a published "
    f"self-assessment in round {markdown(round_label)} and an outcome score in {markdown(period)}."
)
if council in set(table["authority_code"]):
    where = table.loc[table["authority_code"] == council, "quadrant"].iat[0]
    st.success(f"{markdown(council_name)}: {markdown(where)}.")
else:
    st.info(
        f"{markdown(council_name)} has no published self-assessment in round "
        f"{markdown(round_label)} or no outcome score in {markdown(period)}."
    )

shown = table[["short_name", "authority_code", "mean_maturity", "outcome_score", "quadrant"]]
shown_columns = {
    "short_name": "Council",
    "authority_code": "Code",
    "mean_maturity": "Mean maturity",
    "outcome_score": "Outcome score",
    "quadrant": "Quadrant",
}
provenance = {
    "peer_group": group.definition(),
    "round": round_label,
    "outcome_period": period,
    "outcome_method": method,
    "maturity_median": quadrant.maturity_median,
    "outcome_median": quadrant.outcome_median,
    "split": "at the peer medians; at the median counts as high",
}
chart_table_download(
    quadrant_chart(
        table, quadrant.maturity_median, quadrant.outcome_median, council, outcome_label=f"Outcome score ({method})"
    ),
    shown.rename(columns=shown_columns),
    csv_bytes(shown, export_stamp(wh), provenance),
    file_name("maturity-outcomes", round_label),
    key="mo_quadrant",
    caption=f"Median maturity {quadrant.maturity_median:.2f}; median outcome {quadrant.outcome_median:.3f}; "
    f"{quadrant.respondents} councils.",
)
