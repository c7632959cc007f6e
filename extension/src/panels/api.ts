import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** A controller answer through the Jupyter server: the value, or what went wrong and what to do. */
export type ControllerResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      status: number;
      /** A code (`controller-not-running`, `http-422`, ...). */
      error: string;
      /** What went wrong, in the controller's (or the proxy's) words. */
      message: string;
      /** The controller's `details` (e.g. the backtest gate's `reason`), when it sent any. */
      details?: Record<string, unknown>;
    };

/** Talks to the controller through the server extension (`/alertlab/api/...`). */
export class ControllerApi {
  /** @param controllerUrl loopback controller URL from the settings; '' uses the server's. */
  constructor(
    private readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings(),
    public controllerUrl = ''
  ) {}

  async request<T>(
    path: string,
    init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown } = {}
  ): Promise<ControllerResult<T>> {
    const url = URLExt.join(this.settings.baseUrl, 'alertlab', 'api', path);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.controllerUrl) {
      headers['X-Alertlab-Controller'] = this.controllerUrl;
    }
    let res: Response;
    try {
      res = await ServerConnection.makeRequest(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body)
        },
        this.settings
      );
    } catch (err) {
      return {
        ok: false,
        status: 0,
        error: 'network',
        message: `Jupyter server unreachable: ${String(err)}`
      };
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (res.ok) {
      return { ok: true, value: json as T };
    }
    const body = (json ?? {}) as { error?: unknown; message?: unknown; details?: unknown };
    if (res.status === 404 && body.error === undefined) {
      return {
        ok: false,
        status: 404,
        error: 'server-extension-missing',
        message:
          'The alertlab server extension is not enabled. Run bash scripts/setup.sh and restart JupyterLab.'
      };
    }
    // The proxy answers {error: code, message}; the controller itself {error: message, details}.
    const proxyShaped = typeof body.message === 'string';
    const details =
      body.details && typeof body.details === 'object'
        ? (body.details as Record<string, unknown>)
        : undefined;
    return {
      ok: false,
      status: res.status,
      error: proxyShaped && typeof body.error === 'string' ? body.error : `http-${res.status}`,
      message: proxyShaped
        ? String(body.message)
        : typeof body.error === 'string'
          ? body.error
          : text.slice(0, 500),
      ...(details ? { details } : {})
    };
  }
}
