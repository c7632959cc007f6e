/** A small client of the controller REST API (the CLI and tests use it). */
import { readToken } from './auth.js';
import { DEFAULT_PORT } from './serve.js';
import { AlertlabError, ControllerRequestError } from '../errors.js';

export { ControllerRequestError };

/** Options of {@link ControllerClient}. */
export interface ControllerClientOptions {
  /** @default process.env.ALERTLAB_CONTROLLER_URL ?? `http://127.0.0.1:${DEFAULT_PORT}` */
  url?: string;
  /** @default read from `tokenFile` */
  token?: string;
  /** @default `$ALERTLAB_HOME/controller.token` */
  tokenFile?: string;
}

/** Calls the controller with the bearer token. */
export class ControllerClient {
  readonly url: string;
  private token: string | undefined;

  constructor(private readonly options: ControllerClientOptions = {}) {
    this.url = (
      options.url ??
      process.env.ALERTLAB_CONTROLLER_URL ??
      `http://127.0.0.1:${DEFAULT_PORT}`
    ).replace(/\/$/, '');
    this.token = options.token;
  }

  /** Sends a request; resolves with the parsed JSON body, rejects with {@link ControllerRequestError}. */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown
  ): Promise<T> {
    if (this.token === undefined) {
      try {
        this.token = await readToken(this.options.tokenFile);
      } catch (cause) {
        throw new AlertlabError(
          `Cannot read the controller token (${this.options.tokenFile ?? '$ALERTLAB_HOME/controller.token'}): start the controller once (\`alertlab controller\`) or pass --token-file.`,
          { cause }
        );
      }
    }
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' })
        },
        body: body === undefined ? undefined : JSON.stringify(body)
      });
    } catch (cause) {
      throw new AlertlabError(
        `No controller answers at ${this.url}: start one with \`alertlab controller\` or set --url.`,
        {
          cause,
          retriable: true
        }
      );
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (metrics, YAML): keep the text
    }
    if (!res.ok) {
      const message = (parsed as { error?: string }).error ?? text;
      throw new ControllerRequestError(
        res.status,
        `${method} ${path} failed (${res.status}): ${message}`,
        parsed
      );
    }
    return parsed as T;
  }
}
