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

// --- buffer/local: the local Kafka launcher (`alertlab kafka`) ------------------------------

/** The local Kafka could not be started, reached or stopped; `context` names ports, pids, logs. */
export class LocalKafkaError extends AlertlabError {
  override name = 'LocalKafkaError';
}

/** No local Kafka is running where one was needed (a `'local'` bootstrap setting, a node op). */
export class LocalKafkaNotRunningError extends LocalKafkaError {
  override name = 'LocalKafkaNotRunningError';
}

/** Something the launcher needs is missing: `java` (17+), or the Kafka jars from setup. */
export class KafkaPrerequisiteError extends LocalKafkaError {
  override name = 'KafkaPrerequisiteError';
}

/** A port the local cluster needs is already taken on 127.0.0.1. */
export class PortInUseError extends LocalKafkaError {
  override name = 'PortInUseError';
}

/** A node exited during startup or did not answer in time; the message names its log file. */
export class KafkaStartError extends LocalKafkaError {
  override name = 'KafkaStartError';
}

// --- buffer: Kafka buffer sets, attach, produce (sdk/src/buffer) ---

/** A buffer-set config file is missing, unreadable or invalid. */
export class BufferConfigError extends ConfigError {
  override name = 'BufferConfigError';
}

/** A Kafka operation failed (context: operation, topic, partition, group, bootstrapServers). */
export class KafkaTransportError extends AlertlabError {
  override name = 'KafkaTransportError';
}

/** A topic that an operation needs does not exist (context: topic). */
export class TopicNotFoundError extends AlertlabError {
  override name = 'TopicNotFoundError';
}

/**
 * Kafka security settings are invalid, a secret cannot be read (missing variable or file, a file
 * readable by others), or the brokers refused them (authentication, TLS). `context.setting` names
 * the setting to fix; a secret's value is never in the message or the context.
 */
export class KafkaSecurityError extends ConfigError {
  override name = 'KafkaSecurityError';
}

// --- alerts (codecs) ---

/** An Avro schema could not be parsed or resolved. */
export class AvroSchemaError extends AlertlabError {
  override name = 'AvroSchemaError';
}

/** Serialized alert bytes could not be decoded (truncated, corrupt, or the wrong schema). */
export class AlertDecodeError extends AlertlabError {
  override name = 'AlertDecodeError';
}

/** A schema id / schema file could not be found; retriable when the source is remote. */
export class SchemaNotFoundError extends AlertlabError {
  override name = 'SchemaNotFoundError';
}

// --- catalog / crossmatch ------------------------------------------------------------------

/** A catalog was asked for that the store does not hold. Context: `catalog`, `loaded`. */
export class CatalogNotFoundError extends AlertlabError {
  override name = 'CatalogNotFoundError';
}

/** A catalog could not be loaded (bad source, missing columns, missing package). */
export class CatalogLoadError extends AlertlabError {
  override name = 'CatalogLoadError';
}

/** A FITS file is malformed or uses a feature the minimal reader does not support. */
export class FitsFormatError extends AlertlabError {
  override name = 'FitsFormatError';
}

/** A cross-match request is invalid (radius, declination, columns, alert columns). */
export class CrossmatchError extends AlertlabError {
  override name = 'CrossmatchError';
}

// --- filter / duck -------------------------------------------------------------------------

/** A filter's definition is invalid (kind, outputs, default output, source). Context: `filterId`. */
export class FilterDefinitionError extends ConfigError {
  override name = 'FilterDefinitionError';
}

/** A SQL filter was refused by the sandbox (statically or by the locked DuckDB). Context: `filterId`, `reason`. */
export class FilterSqlRefusedError extends ConfigError {
  override name = 'FilterSqlRefusedError';
}

/** A filter needs columns the batch does not have. Context: `filterId`, `missing`, `existing`. */
export class FilterColumnError extends ConfigError {
  override name = 'FilterColumnError';
}

/** User filter code ran past its per-batch time limit. Context: `filterId`, `timeoutMs`. */
export class FilterTimeoutError extends AlertlabError {
  override name = 'FilterTimeoutError';
}

/** User filter code threw or returned something that is not a routing. Context: `filterId`. */
export class FilterEvaluationError extends AlertlabError {
  override name = 'FilterEvaluationError';
}

/** A column type cannot cross between Arrow and DuckDB. Context: `column`, `type`. */
export class DuckTransferError extends AlertlabError {
  override name = 'DuckTransferError';
}

// --- stage (sdk/src/stage) -----------------------------------------------------------------

/** A stage manifest is missing, unreadable or invalid. Context: `issues` ({ path, message }[]). */
export class StageManifestError extends ConfigError {
  override name = 'StageManifestError';
}

/** A stage could not start or stopped on an error it cannot isolate. Context: `stageId`. */
export class StageError extends AlertlabError {
  override name = 'StageError';
}

// --- simulate (sdk/src/simulate) -----------------------------------------------------------

/** A value does not fit the Avro schema it is encoded with. Context: `path`, `type`. */
export class AvroEncodeError extends AlertlabError {
  override name = 'AvroEncodeError';
}

/** The alert simulator cannot run with these options or catalogs. Context: option names, counts. */
export class SimulationError extends ConfigError {
  override name = 'SimulationError';
}

// --- control: `alertlab serve` / `alertlab controller` (sdk/src/control) ---

/** An HTTP answer with its status (400, 401, 404, 409, 413, 422, ...); `details` go into the JSON body. */
export class HttpError extends AlertlabError {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {}
  ) {
    super(message, { context: { status, ...details } });
  }
}

/** The controller refused or failed a request made by a client (status and parsed body). */
export class ControllerRequestError extends AlertlabError {
  override name = 'ControllerRequestError';
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown
  ) {
    super(message, { context: { status }, retriable: status >= 500 });
  }
}

// ---- demo ------------------------------------------------------------------------------------

/** The demo could not bring up a piece of the stack; the message names its log file. */
export class DemoError extends AlertlabError {
  override name = 'DemoError';
}

/** A Python filter worker raised, hung past its time limit or died while evaluating a batch. */
export class FilterWorkerError extends AlertlabError {
  override name = 'FilterWorkerError';
  /** 'remote-exception' | 'timeout' | 'worker-exited' | 'bad-reply' | 'load-error' | 'closed'. */
  readonly code: string;
  /** The Python traceback, when the worker sent one. */
  readonly remoteTraceback: string[];
  constructor(
    message: string,
    code: string,
    remoteTraceback: string[] = [],
    context: Record<string, unknown> = {}
  ) {
    super(message, { context: { ...context, code }, retriable: code !== 'remote-exception' });
    this.code = code;
    this.remoteTraceback = remoteTraceback;
  }
}
