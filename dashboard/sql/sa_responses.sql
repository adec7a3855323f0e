-- Published self-assessment responses, one row per council, round and question, with the
-- question's theme and role. Disclosure: rows with published = false never leave this query.
-- A council's own submission (source "submission-...") supersedes any other source's rows
-- for the same council and round, so a later upload replaces bulk-loaded scores.
-- Parameters: $codes (list of authority codes), $round (round label, or NULL for every round).
WITH responses_in_scope AS (
    SELECT authority_code, round, round_start, question_id, score, published, source_name
    FROM responses
    WHERE list_contains($codes, authority_code)
      AND ($round::VARCHAR IS NULL OR round = $round::VARCHAR)
),
preferred_source AS (
    SELECT authority_code, round,
           arg_max(source_name, (starts_with(source_name, 'submission-'), source_name)) AS source_name
    FROM responses_in_scope
    GROUP BY authority_code, round
),
published_responses AS (
    SELECT r.authority_code, r.round, r.round_start, r.question_id, r.score
    FROM responses_in_scope r
    JOIN preferred_source p USING (authority_code, round, source_name)
    WHERE r.published
),
final AS (
    SELECT r.authority_code, r.round, r.round_start, r.question_id, q.theme, q.role, r.score
    FROM published_responses r
    JOIN questions q USING (question_id)
    ORDER BY r.round_start, r.authority_code, r.question_id
)
SELECT * FROM final
