/** The notifiers of a stage's `notifications` (one per output with destinations). */
import type { Logger } from '../buffer/log.js';
import type { KafkaTransport } from '../buffer/transport-types.js';
import type { StageManifest } from '../stage/manifest-types.js';
import { Notifier } from './notifier.js';

export async function startStageNotifiers(
  transport: KafkaTransport,
  m: StageManifest,
  logger?: Logger
): Promise<{ notifiers: Notifier[]; close(): Promise<void> }> {
  const notifiers: Notifier[] = [];
  const close = async (): Promise<void> => {
    for (const n of notifiers) {
      await n.close();
    }
  };
  try {
    for (const output of new Set((m.notifications ?? []).map(n => n.output))) {
      const destinations = (m.notifications ?? [])
        .filter(n => n.output === output)
        .map(({ output: _o, ...d }) => d);
      notifiers.push(
        await Notifier.start(
          transport,
          { id: `${m.id}.notify`, topic: m.outputs[output], destinations },
          logger
        )
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { notifiers, close };
}
