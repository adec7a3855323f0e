"""Submit a self-assessment: download the blank template for the current framework, fill it
in, upload it for a council and round, check it, and hand it to the ETL's inbox.

The page never writes the warehouse: a confirmed upload goes to the inbox folder beside it,
and ``python -m etl load-inbox`` publishes it."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.common.exports import export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import markdown
from dashboard.common.urlstate import show_url_notices, url_selectbox, url_toggle
from dashboard.common.widgets import choose_council, download_button
from dashboard.selfassessment import results as sa
from dashboard.selfassessment import template
from etl import submission

wh = open_warehouse()
st.title("Submit a self-assessment")
st.markdown(
    "Choose your council and the round, download the template and give every question "
    "a score from 1 to 5, then upload it here, check the preview and submit. Your answers "
    "are published at the next data load."
)
questions = sa.framework(wh)
if questions.empty:
    st.info("No self-assessment framework is loaded yet, so there is nothing to answer.")
    st.stop()

this_year = str(dt.date.today().year)
round_options = sorted(set(sa.rounds(wh)) | {this_year})
left, right = st.columns(2)
with left:
    council, council_name = choose_council(wh)
with right:
    round_label = url_selectbox("Round", round_options, key="round", default=this_year)
publish = url_toggle(
    "Publish my answers to other users of Exemplar",
    key="publish",
    default=True,
    help="Unpublished answers are stored but never shown on any page or download.",
)
show_url_notices()

fw = submission.framework_id(questions)
st.subheader("1. Download the template")
st.caption(
    f"Framework {fw}: {len(questions)} questions. The template is filled in for "
    f"{markdown(council_name)} ({council}), round {markdown(round_label)}."
)
base = f"self-assessment-template-{council}-{round_label}"
stamp = export_stamp(wh)
col_csv, col_xlsx = st.columns(2)
download_button(
    "Template as CSV",
    template.template_csv(questions, council, round_label, stamp=stamp),
    file_name=f"{base}.csv",
    key="template_csv",
    container=col_csv,
    other_formats=False,  # a form to fill in, not a table of figures: its workbook is the one beside it
)
download_button(
    "Template as Excel",
    template.template_xlsx(questions, council, round_label, stamp=stamp),
    file_name=f"{base}.xlsx",
    key="template_xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    container=col_xlsx,
)

st.subheader("2. Upload the filled template")
st.caption(f"CSV (UTF-8) or .xlsx, up to {submission.MAX_UPLOAD_BYTES // 1000:,} kB, no formulas or macros.")
upload = st.file_uploader("Filled template", key="upload")
if upload is None:
    st.stop()
data = upload.getvalue()
result = submission.check_upload(data, upload.name, council, round_label, questions)
if not result.ok:
    st.error(f"The file cannot be submitted: {result.problem_count:,} problem(s). Nothing was stored.")
    st.dataframe(pd.DataFrame({"problem": result.messages()}), hide_index=True, key="upload_problems")
    st.stop()

st.subheader("3. Check and submit")
st.write(
    f"{len(result.answers)} answers for {markdown(council_name)}, round {markdown(result.round)} "
    f"({'published' if publish else 'kept private'}). Mean maturity "
    f"{result.answers['score'].mean():.2f}."
)
st.dataframe(result.answers, hide_index=True, key="upload_preview")
# Remember what this session already submitted, so a second click does not queue a duplicate.
done = st.session_state.setdefault("submitted", {})
ticket = (submission.sha256_hex(data), council, result.round, publish)
if ticket in done:
    st.success(f"Submitted (reference {markdown(done[ticket])}). It will be published at the next data load.")
elif st.button("Submit these answers", key="submit", type="primary"):
    folder = submission.write_to_inbox(wh.paths.inbox, data, upload.name, council, result.round, fw, published=publish)
    done[ticket] = folder.name
    st.success(
        f"Submitted (reference {markdown(folder.name)}, sha256 {ticket[0][:12]}…). "
        "It will be published at the next data load."
    )
