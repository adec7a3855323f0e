-- The self-assessment framework: every question with its theme, role, level descriptors and
-- lineage (`continues`: the earlier question it carries on from, NULL for a new one).
-- Reads no responses, so there is nothing here to withhold.
WITH final AS (
    SELECT question_id, theme, role, text, level_1, level_2, level_3, level_4, level_5, continues
    FROM questions
    ORDER BY theme, role, question_id
)
SELECT * FROM final
