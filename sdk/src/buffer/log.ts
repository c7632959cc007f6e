/**
 * A small structured logger for the buffer layer. Kafka client logs are routed here (kafkajs/, confluent/),
 * so one setting (`ALERTLAB_LOG_LEVEL` or `createLogger({ level })`) controls what reaches stderr.
 */

/** Log levels, from quietest to noisiest. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

const rank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** Where log entries go. */
export type LogSink = (
  level: Exclude<LogLevel, 'silent'>,
  message: string,
  fields: Record<string, unknown>
) => void;

export interface Logger {
  readonly level: LogLevel;
  /** True when an entry at `level` would be written (build costly fields only then). */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose entries carry `namespace`. */
  child(namespace: string): Logger;
}

export interface LoggerOptions {
  /** @default process.env.ALERTLAB_LOG_LEVEL, else 'warn' */
  level?: LogLevel;
  /** @default one line per entry on stderr */
  sink?: LogSink;
  /** @default undefined */
  namespace?: string;
}

function stderrSink(
  level: Exclude<LogLevel, 'silent'>,
  message: string,
  fields: Record<string, unknown>
): void {
  const extra = Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : '';
  process.stderr.write(`alertlab ${level}: ${message}${extra}\n`);
}

function safeJson(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '[unserializable fields]';
  }
}

/** Parses a level name; unknown names give `undefined`. */
export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined) {
    return undefined;
  }
  const v = value.toLowerCase();
  return v in rank ? (v as LogLevel) : undefined;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? parseLogLevel(process.env.ALERTLAB_LOG_LEVEL) ?? 'warn';
  const sink = options.sink ?? stderrSink;
  const ns = options.namespace;
  const enabled = (l: Exclude<LogLevel, 'silent'>): boolean => rank[l] <= rank[level];
  const write =
    (l: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields: Record<string, unknown> = {}): void => {
      if (enabled(l)) {
        sink(l, message, ns === undefined ? fields : { namespace: ns, ...fields });
      }
    };
  return {
    level,
    enabled,
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: (namespace: string) =>
      createLogger({ level, sink, namespace: ns === undefined ? namespace : `${ns}.${namespace}` })
  };
}

let defaultLogger: Logger | undefined;

/** The process-wide default logger (created on first use). */
export function getDefaultLogger(): Logger {
  defaultLogger ??= createLogger();
  return defaultLogger;
}
