/**
 * Prints, as JSON, the SHA-256 of each simulated visit's record values for the options given as
 * a JSON argument: `node --import tsx test/simulate-digest.ts '{"seed":1}' 2`. The encoding test
 * runs it in fresh processes to show that a seed gives the same bytes in any process.
 */
import { createHash } from 'node:crypto';
import { withSimulator, type SimulatorCreateOptions } from '../sdk/src/simulate/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorCreateOptions;
const visits = Number(process.argv[3] ?? '1');
const digests = await withSimulator(options, async sim => {
  const out: string[] = [];
  for (let v = 0; v < visits; v++) {
    const hash = createHash('sha256');
    for (const value of sim.encode(sim.planNext())) {
      hash.update(value);
    }
    out.push(hash.digest('hex'));
  }
  return out;
});
process.stdout.write(JSON.stringify(digests));
