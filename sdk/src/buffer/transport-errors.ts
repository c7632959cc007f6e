/**
 * Turns a Kafka client error into an alertlab error that says what failed, on which topic, and
 * what to do next, keeping the client's `retriable` flag and the original error as `cause`.
 */
import { KafkaSecurityError, KafkaTransportError, TopicNotFoundError } from '../errors.js';
import { isRetriableError } from './retry.js';

/** Wraps a client error with what we were doing; keeps the client's retriable flag and the cause. */
export function wrapError(
  error: unknown,
  operation: string,
  context: Record<string, unknown>
): Error {
  if (
    error instanceof KafkaTransportError ||
    error instanceof TopicNotFoundError ||
    error instanceof KafkaSecurityError
  ) {
    return error;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  const type = (err as { type?: unknown }).type;
  const innerType = (err as { originalError?: { type?: unknown } }).originalError?.type;
  const topic = context.topic;
  if (
    (type === 'UNKNOWN_TOPIC_OR_PARTITION' || innerType === 'UNKNOWN_TOPIC_OR_PARTITION') &&
    typeof topic === 'string'
  ) {
    return new TopicNotFoundError(
      `Kafka ${operation} failed: topic "${topic}" does not exist. Create it with ` +
        '`alertlab buffer create` (or admin.createTopics).',
      { cause: err, context: { operation, ...context } }
    );
  }
  const where = typeof topic === 'string' ? ` on topic "${topic}"` : '';
  const code = innerType ?? type;
  return new KafkaTransportError(
    `Kafka ${operation} failed${where}: ${err.message}. ${hint(err, code, context)}`,
    {
      cause: err,
      retriable: isRetriableError(err),
      context: { operation, code, ...context }
    }
  );
}

function hint(err: Error, code: unknown, context: Record<string, unknown>): string {
  if (code === 'MESSAGE_TOO_LARGE' || code === 'RECORD_LIST_TOO_LARGE') {
    return "Send smaller batches or raise the topic's max.message.bytes.";
  }
  if (/Connection|NoBrokerAvailable|ECONNREFUSED|Timeout/i.test(`${err.name} ${err.message}`)) {
    return `Check that the brokers (${String(context.bootstrapServers)}) are up (\`alertlab kafka status\`).`;
  }
  return "See the cause for the broker's answer.";
}
