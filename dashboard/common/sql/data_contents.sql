-- What the loaded data holds and which of it is synthetic: one row per kind of content
-- (indicators, self-assessment framework, self-assessment answers, peer groups), with the real
-- sources' publishers and licences. The real/synthetic banner and the downloads' stamp read it.
WITH files AS (
    SELECT holds, source_name, is_synthetic, coalesce(publisher, source_name) AS publisher, licence
    FROM source_files
    WHERE holds IS NOT NULL
    UNION ALL  -- files whose details are withheld (they also hold unpublished answers): no name
    SELECT holds, NULL, is_synthetic, coalesce(publisher, 'a withheld source'), licence
    FROM withheld_contents
),
final AS (
    SELECT holds,
           bool_or(is_synthetic) AS any_synthetic,
           bool_and(is_synthetic) AS all_synthetic,
           coalesce(list_sort(list_distinct(list(source_name) FILTER (WHERE is_synthetic AND source_name IS NOT NULL))), []) AS synthetic_sources,
           coalesce(list_sort(list_distinct(list(publisher) FILTER (WHERE NOT is_synthetic))), []) AS publishers,
           coalesce(list_sort(list_distinct(list(licence) FILTER (WHERE NOT is_synthetic AND licence IS NOT NULL))), [])
               AS licences
    FROM files
    GROUP BY holds
)
SELECT * FROM final
ORDER BY holds
