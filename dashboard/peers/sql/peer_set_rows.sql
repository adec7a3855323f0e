-- Every membership row of one stored peer set, for resolving many councils' groups at once
-- (dashboard/peers/alternatives.py): neighbours sets list (council, neighbour) pairs, family
-- sets (council, group). Params: $set_id.
WITH final AS (
    SELECT authority_code, member_code, group_id
    FROM peer_set_members
    WHERE set_id = $set_id
)
SELECT * FROM final
ORDER BY authority_code, member_code, group_id
