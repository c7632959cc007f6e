/**
 * All alertlab errors. Each has a `name`, says whether a retry can help (`retriable`), keeps the
 * underlying `cause`, and carries context fields (topic, partition, catalog, ...). Messages name the
 * action, the target and what to do next.
 */
export interface AlertlabErrorOptions {
  cause?: unknown;
  retriable?: boolean;
  context?: Record<string, unknown>;
}

export class AlertlabError extends Error {
  override name = 'AlertlabError';
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;
  constructor(message: string, options: AlertlabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

/** Bad input from a user or a config file: never retriable. */
export class ConfigError extends AlertlabError {
  override name = 'ConfigError';
}

// Area-specific errors are appended below (one section per area).
