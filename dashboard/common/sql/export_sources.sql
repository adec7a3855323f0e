-- What every download says about where its figures come from: the publishers of the indicator
-- figures, and the reference data behind the council facts with its licence (and the licences
-- alone, for a CSVW's dc:license). One row; no parameters.
WITH publishers AS (
    SELECT array_to_string(list_sort(list_distinct(list(source))), '; ') AS figures_published_by
    FROM indicators
),
reference AS (
    SELECT array_to_string(
               list(publisher || ' (' || coalesce(licence, 'licence not stated') || ' licence, snapshot '
                    || coalesce(snapshot, 'unknown') || ')' ORDER BY name),
               '; ') AS reference_data,
           list_sort(list_distinct(list(coalesce(licence, 'licence not stated')))) AS licences
    FROM ref.reference_sources
),
final AS (
    SELECT coalesce(p.figures_published_by, '') AS figures_published_by,
           coalesce(r.reference_data, '') AS reference_data,
           coalesce(r.licences, []) AS licences
    FROM publishers p, reference r
)
SELECT * FROM final
