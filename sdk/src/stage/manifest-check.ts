/** Small typed readers for untrusted JSON that collect issues instead of throwing. */
import type { ConfigIssue } from '../buffer/config.js';

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;
export const ID_RE = /^[A-Za-z0-9._-]{1,200}$/;

/** Reads fields of one object at `path`, pushing an issue for each bad one. */
export class FieldReader {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly path: string,
    readonly issues: ConfigIssue[]
  ) {}

  at(key: string): string {
    if (key === '') {
      return this.path;
    }
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  fail(key: string, message: string): undefined {
    this.issues.push({ path: this.at(key), message });
    return undefined;
  }

  /** Flags keys that are not in `known` (typos). */
  onlyKeys(known: readonly string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!known.includes(key)) {
        this.fail(key, `unknown field; known fields: ${known.join(', ')}`);
      }
    }
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined;
  }

  string(key: string, options: { required?: boolean; re?: RegExp; hint?: string } = {}) {
    const v = this.raw[key];
    if (v === undefined) {
      return options.required ? this.fail(key, 'is required') : undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      return this.fail(key, 'must be a non-empty string');
    }
    if (options.re && !options.re.test(v)) {
      return this.fail(key, `"${v}" is not valid${options.hint ? `: ${options.hint}` : ''}`);
    }
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback?: T): T | undefined {
    const v = this.raw[key];
    if (v === undefined) {
      return fallback ?? this.fail(key, `is required (one of ${values.join(', ')})`);
    }
    if (typeof v !== 'string' || !values.includes(v as T)) {
      return this.fail(key, `must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
    }
    return v as T;
  }

  number(key: string, min: number, max: number, fallback?: number, integer = false) {
    const v = this.raw[key];
    if (v === undefined) {
      return fallback ?? this.fail(key, 'is required');
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      return this.fail(key, `must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    if (integer && !Number.isInteger(v)) {
      return this.fail(key, `must be an integer, got ${v}`);
    }
    return v;
  }

  int(key: string, min: number, max: number, fallback?: number) {
    return this.number(key, min, max, fallback, true);
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined) {
      return fallback;
    }
    if (typeof v !== 'boolean') {
      this.fail(key, 'must be true or false');
      return fallback;
    }
    return v;
  }

  strings(key: string, fallback: string[]): string[] {
    const v = this.raw[key];
    if (v === undefined) {
      return fallback;
    }
    if (!Array.isArray(v) || v.some(s => typeof s !== 'string' || s === '')) {
      this.fail(key, 'must be an array of non-empty strings');
      return fallback;
    }
    return v as string[];
  }

  object(key: string, required: boolean): FieldReader | undefined {
    const v = this.raw[key];
    if (v === undefined) {
      return required ? this.fail(key, 'is required (an object)') : undefined;
    }
    if (!isObject(v)) {
      return this.fail(key, 'must be an object');
    }
    return new FieldReader(v, this.at(key), this.issues);
  }
}
