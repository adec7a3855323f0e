-- Published self-assessment responses, one row per council, round and question, with the
-- question's theme and role: the published_answers macro, which reads the published_responses
-- view (the warehouse's one disclosure rule: unpublished rows never pass it; a council's own
-- submission supersedes other sources' rows for the same round).
-- Parameters: $codes (list of authority codes), $round (round label, or NULL for every round).
WITH final AS (
    SELECT * FROM published_answers($codes, $round)
)
SELECT * FROM final
ORDER BY round_start, authority_code, question_id
