/** A local SMTP server for tests: accepts every message and keeps it (no relay). */
import { createServer, type Server } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
}

export interface SmtpSink {
  port: number;
  messages: ReceivedMail[];
  /** Refuse the next `n` messages with a 451 (a failing destination). */
  refuseNext(n: number): void;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  let refuse = 0;
  const server: Server = createServer(socket => {
    socket.setEncoding('utf8');
    let from = '';
    let to: string[] = [];
    let data: string[] | undefined;
    let pending = '';
    socket.write('220 alertlab-test-sink ESMTP\r\n');
    socket.on('data', (chunk: string) => {
      pending += chunk;
      let at: number;
      while ((at = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, at);
        pending = pending.slice(at + 2);
        if (data !== undefined) {
          if (line === '.') {
            if (refuse > 0) {
              refuse--;
              socket.write('451 try again later\r\n');
            } else {
              messages.push({ from, to, data: data.join('\n') });
              socket.write('250 OK queued\r\n');
            }
            data = undefined;
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') {
          socket.write('250-alertlab-test-sink\r\n250 8BITMIME\r\n');
        } else if (verb === 'MAIL') {
          from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          to = [];
          socket.write('250 OK\r\n');
        } else if (verb === 'RCPT') {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          socket.write('250 OK\r\n');
        } else if (verb === 'DATA') {
          data = [];
          socket.write('354 end with .\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else {
          socket.write('250 OK\r\n');
        }
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    messages,
    refuseNext: n => (refuse = n),
    close: () => new Promise<void>(resolve => server.close(() => resolve()))
  };
}
