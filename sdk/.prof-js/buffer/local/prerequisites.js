/**
 * What a local Kafka needs before a JVM is launched: a `java` of version 17 or later, and the Kafka
 * jars that `scripts/setup.sh` resolves from Maven Central. Each miss is a KafkaPrerequisiteError
 * that says what to run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaPrerequisiteError } from '../../errors.js';
import { kafkaLibsDir, kafkaVersion } from './paths.js';
/** Kafka 4.x brokers need Java 17. */
export const MIN_JAVA_MAJOR = 17;
/** Parses the major version out of `java -version` output (`"17.0.15"`, `"1.8.0_392"`, `"21"`). */
export function parseJavaMajor(versionOutput) {
    const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
    if (!match) {
        return undefined;
    }
    const first = Number(match[1]);
    return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}
/** Finds `java` (`$JAVA_HOME/bin/java`, else the one on PATH) and checks it is 17 or later. */
export function findJava(env = process.env) {
    const javaHome = env.JAVA_HOME;
    const fromHome = javaHome ? join(javaHome, 'bin', 'java') : undefined;
    const javaPath = fromHome && existsSync(fromHome) ? fromHome : 'java';
    const result = spawnSync(javaPath, ['-version'], { encoding: 'utf8', env });
    if (result.error) {
        throw new KafkaPrerequisiteError(`Cannot start Kafka: no \`java\` found (${result.error.message}). Install Java ${MIN_JAVA_MAJOR}+ ` +
            '(`sudo apt-get install openjdk-17-jre-headless`, or run `bash scripts/setup.sh`), ' +
            'or set JAVA_HOME.', { cause: result.error, context: { javaPath } });
    }
    const output = `${result.stderr}\n${result.stdout}`;
    const major = parseJavaMajor(output);
    if (major === undefined || major < MIN_JAVA_MAJOR) {
        throw new KafkaPrerequisiteError(`Cannot start Kafka: ${javaPath} is Java ${major ?? '(unknown version)'}, Kafka 4 needs ` +
            `Java ${MIN_JAVA_MAJOR}+. Install openjdk-17-jre-headless or point JAVA_HOME at a newer JDK.`, { context: { javaPath, major, output: output.trim() } });
    }
    return { javaPath, major };
}
/** Checks the jar cache for the pinned Kafka version holds the broker jar. */
export function findKafkaLibs(env = process.env) {
    const version = kafkaVersion();
    const libsDir = kafkaLibsDir(version, env);
    const jars = existsSync(libsDir) ? readdirSync(libsDir) : [];
    if (!jars.some(name => name.startsWith('kafka_2.13-') && name.endsWith('.jar'))) {
        throw new KafkaPrerequisiteError(`Cannot start Kafka: the Kafka ${version} jars are not in ${libsDir}. ` +
            'Run `bash scripts/setup.sh` to resolve them from Maven Central.', { context: { libsDir, kafkaVersion: version } });
    }
    return { kafkaVersion: version, libsDir };
}
/** Both checks, jars first (the cheaper one). */
export function checkPrerequisites(env = process.env) {
    const libs = findKafkaLibs(env);
    return { java: findJava(env), ...libs };
}
