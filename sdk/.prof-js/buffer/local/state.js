/**
 * The local cluster's files under `$ALERTLAB_HOME/kafka`: `state.json` (what is running: pids,
 * ports, directories, logs — removed by stop), `cluster.json` (what the data directories were
 * formatted as — kept across restarts), and a lock so two commands never start or stop at once.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalKafkaError } from '../../errors.js';
export const stateFile = (kafkaDir) => join(kafkaDir, 'state.json');
const identityFile = (kafkaDir) => join(kafkaDir, 'cluster.json');
const lockFile = (kafkaDir) => join(kafkaDir, 'lock');
function readJson(path) {
    if (!existsSync(path)) {
        return undefined;
    }
    try {
        return JSON.parse(readFileSync(path, 'utf8'));
    }
    catch (err) {
        throw new LocalKafkaError(`Cannot read ${path} (${err.message}). Delete it, or run \`alertlab kafka stop\`.`, { cause: err, context: { path } });
    }
}
function writeJsonAtomic(path, value) {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
    renameSync(tmp, path);
}
export const readState = (kafkaDir) => readJson(stateFile(kafkaDir));
export function writeState(kafkaDir, state) {
    mkdirSync(kafkaDir, { recursive: true });
    writeJsonAtomic(stateFile(kafkaDir), state);
}
export function removeState(kafkaDir) {
    rmSync(stateFile(kafkaDir), { force: true });
}
export const readIdentity = (kafkaDir) => readJson(identityFile(kafkaDir));
export function writeIdentity(kafkaDir, identity) {
    mkdirSync(kafkaDir, { recursive: true });
    writeJsonAtomic(identityFile(kafkaDir), identity);
}
/**
 * A new Kafka cluster id: 16 random bytes, base64url without padding, never starting with '-'
 * (Kafka's own rule, so the id is never read as a command-line flag).
 */
export function newClusterId() {
    for (;;) {
        const id = randomBytes(16).toString('base64url');
        if (!id.startsWith('-')) {
            return id;
        }
    }
}
function pidAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (err) {
        return err.code === 'EPERM';
    }
}
/** The pid in a lock file; 'gone' if it vanished, 'stale' if it stayed empty (writer died). */
function readLockHolder(path) {
    try {
        const text = readFileSync(path, 'utf8').trim();
        if (text !== '') {
            return Number(text);
        }
        return Date.now() - statSync(path).mtimeMs > 5_000 ? 'stale' : undefined;
    }
    catch {
        return 'gone';
    }
}
let inProcess = Promise.resolve();
/**
 * Runs `fn` holding `<kafkaDir>/lock` (one start/stop at a time across processes, and in order
 * within this one). A lock left by a dead process is taken over.
 */
export function withKafkaLock(kafkaDir, fn, waitMs = 300_000) {
    const run = async () => {
        mkdirSync(kafkaDir, { recursive: true });
        const path = lockFile(kafkaDir);
        const deadline = Date.now() + waitMs;
        for (;;) {
            try {
                writeFileSync(path, String(process.pid), { flag: 'wx' });
                break;
            }
            catch (err) {
                if (err.code !== 'EEXIST') {
                    throw err;
                }
            }
            const holder = readLockHolder(path);
            if (holder === 'gone') {
                continue;
            }
            if (holder === 'stale' ||
                (holder !== undefined && (holder === process.pid || !pidAlive(holder)))) {
                rmSync(path, { force: true });
                continue;
            }
            if (Date.now() > deadline && holder !== undefined) {
                throw new LocalKafkaError(`Another alertlab command (pid ${holder}) is starting or stopping the local Kafka ` +
                    `in ${kafkaDir}. Wait for it, or remove ${path} if that process is gone.`, { retriable: true, context: { lockFile: path, holderPid: holder } });
            }
            await new Promise(resolve => setTimeout(resolve, 200));
        }
        try {
            return await fn();
        }
        finally {
            rmSync(path, { force: true });
        }
    };
    const result = inProcess.then(run, run);
    inProcess = result.catch(() => undefined);
    return result;
}
