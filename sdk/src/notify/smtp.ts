/**
 * A minimal SMTP client (RFC 5321: EHLO, MAIL, RCPT, DATA, QUIT; no TLS, no AUTH) for a local
 * relay. Replies are read line by line; a reply outside 2xx/3xx where expected is an error that
 * names the command and the server's answer.
 */
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';

export interface SmtpMessage {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
}

class SmtpReader {
  private buffered = '';
  private waiting: ((line: string) => void) | undefined;
  private readonly lines: string[] = [];
  private failure: Error | undefined;

  constructor(socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      let at: number;
      while ((at = this.buffered.indexOf('\r\n')) >= 0) {
        this.lines.push(this.buffered.slice(0, at));
        this.buffered = this.buffered.slice(at + 2);
      }
      this.wake();
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      this.wake();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the SMTP server closed the connection')));
  }

  private wake(): void {
    const w = this.waiting;
    if (w && (this.lines.length > 0 || this.failure)) {
      this.waiting = undefined;
      w(this.lines.shift() ?? '');
    }
  }

  private line(): Promise<string> {
    if (this.lines.length > 0) {
      return Promise.resolve(this.lines.shift() as string);
    }
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    return new Promise<string>((resolve, reject) => {
      this.waiting = line => (this.failure && line === '' ? reject(this.failure) : resolve(line));
    });
  }

  /** One reply (multi-line replies joined); returns its code and text. */
  async reply(): Promise<{ code: number; text: string }> {
    const parts: string[] = [];
    for (;;) {
      const line = await this.line();
      parts.push(line);
      if (line.length < 4 || line[3] !== '-') {
        return { code: Number(line.slice(0, 3)), text: parts.join('\n') };
      }
    }
  }
}

/** Sends one message; resolves when the server accepted it (250 after DATA). */
export async function sendMail(
  host: string,
  port: number,
  message: SmtpMessage,
  timeoutMs = 15_000
): Promise<void> {
  const socket = connect({ host, port });
  socket.setTimeout(timeoutMs, () =>
    socket.destroy(new Error(`SMTP timeout after ${timeoutMs} ms`))
  );
  const reader = new SmtpReader(socket);
  const step = async (
    command: string | undefined,
    ok: (code: number) => boolean
  ): Promise<void> => {
    if (command !== undefined) {
      socket.write(`${command}\r\n`);
    }
    const r = await reader.reply();
    if (!ok(r.code)) {
      throw new Error(
        `SMTP ${command?.split(' ')[0] ?? 'greeting'} refused by ${host}:${port}: ${r.text}`
      );
    }
  };
  try {
    await step(undefined, c => c === 220);
    await step(`EHLO ${hostname() || 'alertlab'}`, c => c === 250);
    await step(`MAIL FROM:<${message.from}>`, c => c === 250);
    for (const to of message.to) {
      await step(`RCPT TO:<${to}>`, c => c === 250 || c === 251);
    }
    await step('DATA', c => c === 354);
    const body = message.text.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    const head = [
      `From: ${message.from}`,
      `To: ${message.to.join(', ')}`,
      `Subject: ${message.subject.replace(/[\r\n]+/g, ' ')}`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8'
    ].join('\r\n');
    await step(`${head}\r\n\r\n${body}\r\n.`, c => c === 250);
    socket.write('QUIT\r\n');
  } finally {
    socket.end();
    socket.destroy();
  }
}
