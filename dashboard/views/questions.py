"""One challenge question, or a whole theme, across councils: how scores are spread in each
round and how councils moved between rounds."""

from typing import Any

import streamlit as st

from dashboard.common.contents import ANSWERS
from dashboard.common.disclosure import MIN_PEER_RESPONDENTS, hidden_reason, peer_stat_allowed
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import markdown
from dashboard.common.urlstate import show_url_notices, url_selectbox
from dashboard.common.widgets import chart_table_download, data_table, download_button
from dashboard.selfassessment import results as sa
from dashboard.selfassessment.charts import distribution_bars
from dashboard.selfassessment.lineage import lineage_members, lineage_of

ALL_QUESTIONS = "all"  # the ``question`` URL value meaning "every question of the theme"
ALL_NATIONS = "UK"  # the ``nation`` URL value meaning "every nation"

wh = open_warehouse(shows=[ANSWERS])
st.title("Challenge questions across councils")
questions = sa.framework(wh)
if questions.empty or not sa.rounds(wh):
    st.info("No self-assessment framework or published responses are loaded yet.")
    st.stop()
councils = wh.query("sa_councils")

left, middle, right = st.columns(3)
with left:
    theme = url_selectbox("Theme", sorted(questions["theme"].unique()), key="theme")
in_theme = questions[questions["theme"] == theme]
texts = dict(zip(in_theme["question_id"], in_theme["text"], strict=True))
with middle:
    question = url_selectbox(
        "Question",
        [ALL_QUESTIONS, *in_theme["question_id"]],
        key="question",
        format_func=lambda q: "Every question in the theme" if q == ALL_QUESTIONS else f"{q}: {texts[q]}",
    )
with right:
    nation = url_selectbox(
        "Councils in",
        [ALL_NATIONS, *sorted(councils["nation"].unique())],
        key="nation",
        format_func=lambda n: "the whole UK" if n == ALL_NATIONS else n,
    )
show_url_notices()

codes = (
    councils["authority_code"]
    if nation == ALL_NATIONS
    else councils.loc[councils["nation"] == nation, "authority_code"]
)
responses = sa.published_responses(wh, codes.tolist())
# like with like across frameworks: a question brings the earlier questions it continues
chosen = lineage_members(questions, question) if question != ALL_QUESTIONS else in_theme["question_id"].tolist()
responses = responses[responses["question_id"].isin(chosen)]

if question != ALL_QUESTIONS:
    row = in_theme[in_theme["question_id"] == question].iloc[0]
    st.markdown(f"**{markdown(row['text'])}** ({markdown(row['role'])})")
    earlier = [q for q in chosen if q != question]
    if earlier:
        st.caption(
            "Across frameworks this question is compared with the questions it continues or that continue it: "
            + ", ".join(markdown(q) for q in earlier)
            + "."
        )
    levels = {f"Level {i}": row[f"level_{i}"] for i in range(1, 6)}
    data_table([{"Level": k, "What it looks like": v} for k, v in levels.items()], key="q_levels")
else:
    st.caption("A council's theme score is its mean over the theme's questions, rounded to the nearest level.")

distribution = sa.score_distribution(responses)
per_round = distribution.groupby("round")["councils"].sum()
hidden: list[Any] = [r for r, n in per_round.items() if not peer_stat_allowed(n)]  # round labels
for round_label in hidden:
    st.info(f"Round {markdown(round_label)}: " + hidden_reason(int(per_round[round_label]), "The distribution"))
distribution = distribution[~distribution["round"].isin(hidden)]
stamp = export_stamp(wh)
provenance = {"theme": theme, "question": question, "councils": nation}
st.subheader("Distribution of scores by round")
if distribution.empty:
    st.info("No round has enough published responses to show.")
else:
    table = distribution.drop(columns=["round_start"])
    chart_table_download(
        distribution_bars(distribution),
        table.rename(columns={"round": "Round", "score": "Score", "councils": "Councils", "share": "Share"}),
        csv_bytes(table, stamp, provenance),
        "self-assessment-distribution.csv",
        key="q_distribution",
    )

st.subheader("Progress between rounds")
st.caption(
    "Councils that published answers in both rounds, compared like with like: on the questions asked in both "
    "(a reworded or split question counts with the one it continues; a new question is left out). A council "
    "is compared with its own earlier answers only, so a council created in a reorganisation starts afresh."
)
progress = sa.round_progress(responses[~responses["round"].isin(hidden)], lineage_of(questions))
progress = progress[progress["councils"].map(peer_stat_allowed)]
if progress.empty:
    st.info(f"Too few councils ({MIN_PEER_RESPONDENTS} needed) answered in two consecutive rounds.")
else:
    data_table(
        progress.rename(
            columns={
                "from_round": "From round",
                "to_round": "To round",
                "councils": "Councils",
                "improved": "Improved",
                "same": "Same",
                "declined": "Declined",
                "mean_change": "Mean change",
                "questions_compared": "Questions compared",
            }
        ),
        key="q_progress",
    )
    download_button(
        "Download CSV",
        csv_bytes(progress, stamp, provenance),
        "self-assessment-progress.csv",
        key="q_progress_download",
    )
