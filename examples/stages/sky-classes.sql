-- The demo's switch filter: moving objects first (they skip the static cross-match), then alerts on
-- a catalogued star (variables), then alerts near a deep-sky object (transients near galaxies), and
-- everything else to the default output.
CASE
  WHEN isMovingObject THEN 'moving'
  WHEN xm_hipparcos_count > 0 OR xm_tycho2_count > 0 THEN 'variable'
  WHEN xm_dso_count > 0 THEN 'transient'
  ELSE 'other'
END
