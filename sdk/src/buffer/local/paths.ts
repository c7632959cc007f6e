/**
 * Where the local Kafka's pieces live: the repository checkout (for the pinned version and the
 * log4j2 config), the jar cache filled by `scripts/setup.sh`, and `$ALERTLAB_HOME` (state and data).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository checkout this module runs from. */
export const repoRoot: string = fileURLToPath(new URL('../../../../', import.meta.url));

/** The pom that pins the Kafka version (`<kafka.version>`). */
export const kafkaPomPath: string = join(repoRoot, 'java', 'kafka', 'pom.xml');

/** The log4j2 config every node is started with. */
export const log4jConfigPath: string = join(repoRoot, 'java', 'kafka', 'log4j2.xml');

/** `$ALERTLAB_HOME`, else `<repo>/.alertlab`. */
export function alertlabHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.ALERTLAB_HOME;
  return fromEnv && fromEnv !== '' ? resolve(fromEnv) : join(repoRoot, '.alertlab');
}

/** The directory holding the local cluster's state file and node directories. */
export function kafkaHome(home: string): string {
  return join(home, 'kafka');
}

/** The pinned Kafka version, read from the pom the way `scripts/setup.sh` reads it. */
export function kafkaVersion(pomPath: string = kafkaPomPath): string {
  const pom = readFileSync(pomPath, 'utf8');
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom);
  if (!match) {
    throw new Error(`no <kafka.version> in ${pomPath}`);
  }
  return match[1].trim();
}

/** `$ALERTLAB_CACHE/kafka/<version>/libs` (default cache `~/.cache/alertlab`), as setup.sh fills it. */
export function kafkaLibsDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env.ALERTLAB_CACHE && env.ALERTLAB_CACHE !== ''
      ? env.ALERTLAB_CACHE
      : join(homedir(), '.cache', 'alertlab');
  return join(cache, 'kafka', version, 'libs');
}
