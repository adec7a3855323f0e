-- Published self-assessment responses, one row per council, round and question, with the
-- question's theme and role, read through the published_responses view (the warehouse's one
-- disclosure rule: unpublished rows never pass it; a council's own submission supersedes
-- other sources' rows for the same round).
-- Parameters: $codes (list of authority codes), $round (round label, or NULL for every round).
WITH published AS (
    SELECT authority_code, round, round_start, question_id, score
    FROM published_responses
    WHERE list_contains($codes, authority_code)
      AND ($round::VARCHAR IS NULL OR round = $round::VARCHAR)
),
final AS (
    SELECT r.authority_code, r.round, r.round_start, r.question_id, q.theme, q.role, r.score
    FROM published r
    JOIN questions q USING (question_id)
    ORDER BY r.round_start, r.authority_code, r.question_id
)
SELECT * FROM final
