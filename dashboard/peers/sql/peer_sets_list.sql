-- Every stored peer-group set (imported family groups and neighbour lists, computed
-- neighbours) with how many councils it covers. No parameters.
WITH sets AS (
    SELECT set_id, name, kind, description, method, variables, source_name
    FROM peer_sets
),
coverage AS (
    SELECT set_id, count(DISTINCT authority_code) AS councils
    FROM peer_set_members
    GROUP BY set_id
),
final AS (
    SELECT s.*, coalesce(c.councils, 0) AS councils
    FROM sets s
    LEFT JOIN coverage c USING (set_id)
)
SELECT * FROM final
ORDER BY kind DESC, name, set_id
