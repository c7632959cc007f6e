/**
 * The stage benchmark's filter (bench/stage.ts), shared with bench/decode.ts, which measures the
 * decode that stage runs: only the survey columns this SQL reads (see decodedColumns in
 * sdk/src/stage/runner.ts), besides the canonical columns and the lightcurve.
 */
export const STAGE_SWITCH_SQL =
  "CASE WHEN xm_hipparcos_count > 0 THEN 'star' WHEN isMovingObject THEN 'sso' WHEN mag < 21.5 THEN 'bright' END";
/** The same switch reading a lightcurve feature (the stage then decodes the lightcurve, adds features). */
export const STAGE_FEATURE_SQL =
  "CASE WHEN xm_hipparcos_count > 0 THEN 'star' WHEN isMovingObject THEN 'sso' WHEN mag < 21.5 AND ndet >= 2 THEN 'bright' END";
export const STAGE_OUTPUTS = ['star', 'sso', 'bright', 'other'];
