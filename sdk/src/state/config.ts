/** The `objects` section of a stage manifest (object state; see stage-objects.ts). */
export interface StageObjects {
  /** Compacted changelog topic. @default `<stage id>-objects` */
  changelogTopic: string;
  /** Window of `rate_<band>` (days). @default 10 */
  rateWindowDays: number;
  /** Annotation topic joined into the object rows. @default undefined (none) */
  annotationsTopic?: string;
}

/** Default window of the rise/decline rate (days). */
export const DEFAULT_RATE_WINDOW_DAYS = 10;

/** Default changelog topic of a stage. */
export function defaultChangelogTopic(stageId: string): string {
  return `${stageId}-objects`;
}
