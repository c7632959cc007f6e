/**
 * A small structured logger for the buffer layer. kafkajs logs are routed here (see transport.ts),
 * so one setting (`ALERTLAB_LOG_LEVEL` or `createLogger({ level })`) controls what reaches stderr.
 */
const rank = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };
function stderrSink(level, message, fields) {
    const extra = Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : '';
    process.stderr.write(`alertlab ${level}: ${message}${extra}\n`);
}
function safeJson(fields) {
    try {
        return JSON.stringify(fields, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    }
    catch {
        return '[unserializable fields]';
    }
}
/** Parses a level name; unknown names give `undefined`. */
export function parseLogLevel(value) {
    if (value === undefined) {
        return undefined;
    }
    const v = value.toLowerCase();
    return v in rank ? v : undefined;
}
export function createLogger(options = {}) {
    const level = options.level ?? parseLogLevel(process.env.ALERTLAB_LOG_LEVEL) ?? 'warn';
    const sink = options.sink ?? stderrSink;
    const ns = options.namespace;
    const enabled = (l) => rank[l] <= rank[level];
    const write = (l) => (message, fields = {}) => {
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
        child: (namespace) => createLogger({ level, sink, namespace: ns === undefined ? namespace : `${ns}.${namespace}` })
    };
}
let defaultLogger;
/** The process-wide default logger (created on first use). */
export function getDefaultLogger() {
    defaultLogger ??= createLogger();
    return defaultLogger;
}
