-- Every family set (clusters, family groups) one council belongs to: the set, the council's group,
-- how many councils share it and what the publisher says the group is like. Params: $council.
WITH own AS (
    SELECT set_id, group_id
    FROM peer_set_members
    WHERE authority_code = $council AND group_id IS NOT NULL
),
sizes AS (
    SELECT set_id, group_id, count(DISTINCT authority_code) AS councils
    FROM peer_set_members
    WHERE set_id IN (SELECT set_id FROM own)
    GROUP BY set_id, group_id
),
final AS (
    SELECT o.set_id, s.name AS set_name, o.group_id, z.councils, g.description
    FROM own o
    JOIN peer_sets s USING (set_id)
    LEFT JOIN sizes z USING (set_id, group_id)
    LEFT JOIN peer_set_groups g USING (set_id, group_id)
)
SELECT * FROM final
ORDER BY set_name, set_id
