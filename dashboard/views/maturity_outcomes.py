"""Maturity against outcomes: each council's mean self-assessment maturity against its
performance, in four quadrants split at the peer group's medians."""

import streamlit as st

from dashboard.common.contents import ANSWERS, INDICATORS
from dashboard.common.disclosure import hidden_reason
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name, markdown
from dashboard.common.widgets import chart_table_download, download_button
from dashboard.selfassessment import results
from dashboard.selfassessment.association import ASSOCIATION_METHOD, question_associations
from dashboard.selfassessment.charts import quadrant_chart
from dashboard.selfassessment.quadrant import QUADRANT_SHORT, QUADRANTS
from dashboard.views.compose import (
    IMPROVEMENT_METHOD,
    choose_council_round_and_group,
    outcome_improvement,
    quadrant_for_group,
)

wh = open_warehouse(shows=[INDICATORS, ANSWERS])
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

st.subheader("Maturity and improvement, question by question")
st.write(
    "For each challenge question: do councils that score higher on it also improve more? "
    "Spearman's rank correlation (rho, from -1 to 1) between the councils' scores on the question "
    f"in round {markdown(round_label)} and their measured improvement up to {markdown(period)}, with "
    "its 95% confidence interval and the number of councils behind it."
)
st.warning(
    "An association, not a cause: councils that rate themselves higher may improve more for "
    "other reasons, and a question with a strong association has not been shown to cause improvement."
)
framework = results.framework(wh)
answers = results.published_responses(wh, group.codes, round_label)
associations = question_associations(answers, outcome_improvement(wh, group.codes, period))
associations = associations.merge(framework[["question_id", "theme", "text"]], on="question_id", how="left")
association_table = associations.rename(
    columns={
        "question_id": "Question",
        "theme": "Theme",
        "text": "Challenge question",
        "councils": "Councils",
        "rho": "Spearman's rho",
        "ci_low": "95% interval, lower",
        "ci_high": "95% interval, upper",
        "note": "Note",
    }
)[
    [
        "Question",
        "Theme",
        "Challenge question",
        "Councils",
        "Spearman's rho",
        "95% interval, lower",
        "95% interval, upper",
        "Note",
    ]
]
st.dataframe(
    association_table,
    hide_index=True,
    key="mo_associations",
    column_config={
        c: st.column_config.NumberColumn(format="%.2f")
        for c in ("Spearman's rho", "95% interval, lower", "95% interval, upper")
    },
)
st.caption(
    f"Improvement: {markdown(IMPROVEMENT_METHOD)}. Method: {markdown(ASSOCIATION_METHOD)}. A figure over fewer "
    "councils is withheld, so that no council's answer can be worked out from it."
)
download_button(
    "Download the associations (CSV)",
    csv_bytes(
        association_table,
        export_stamp(wh),
        {**provenance, "improvement": IMPROVEMENT_METHOD, "association_method": ASSOCIATION_METHOD},
    ),
    file_name("maturity-improvement", round_label),
    key="mo_associations_download",
)
