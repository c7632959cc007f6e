/**
 * A small JSON parser that keeps integers exact: integer literals beyond 2^53 become `bigint`
 * (JSON.parse would round them through a double).
 */
import { AlertDecodeError } from '../errors.js';

export type JsonValue =
  null | boolean | number | bigint | string | JsonValue[] | { [k: string]: JsonValue };

/** Parses JSON text; integers that a double cannot hold exactly come back as bigint. */
export function parseJsonExact(text: string): JsonValue {
  let i = 0;
  const fail = (what: string): AlertDecodeError =>
    new AlertDecodeError(`JSON alert is malformed: ${what} at character ${i}.`, {
      context: { position: i }
    });
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        i++;
      } else {
        break;
      }
    }
  };
  const value = (): JsonValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: { [k: string]: JsonValue } = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') {
          throw fail('expected a key');
        }
        const key = str();
        ws();
        if (text[i++] !== ':') {
          throw fail('expected ":"');
        }
        obj[key] = value();
        ws();
        const sep = text[i++];
        if (sep === '}') {
          return obj;
        }
        if (sep !== ',') {
          throw fail('expected "," or "}"');
        }
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') {
          return arr;
        }
        if (sep !== ',') {
          throw fail('expected "," or "]"');
        }
      }
    }
    if (c === '"') {
      return str();
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', NaN]
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return num();
  };
  const str = (): string => {
    const start = i;
    i++;
    let simple = true;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        simple = false;
        i++;
      }
      i++;
    }
    if (i >= text.length) {
      throw fail('unterminated string');
    }
    i++;
    const raw = text.slice(start, i);
    return simple ? raw.slice(1, -1) : (JSON.parse(raw) as string);
  };
  const num = (): number | bigint => {
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (!m) {
      throw fail('unexpected character');
    }
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const out = value();
  ws();
  if (i !== text.length) {
    throw fail('trailing characters');
  }
  return out;
}
