/**
 * The browser harness's HTTP server: the built renderer plus POST /api/<call>
 * into the same `invoke` the Electron shell uses. Loopback only; requests from
 * any other host or origin are refused (no DNS rebinding, no cross-site posts).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { announcing, type AppEvent } from '../ipc/events';
import type { StartupGate } from '../startup';
import { inputLimit } from '../ipc/limits';
import { CONTENT_SECURITY_POLICY } from '../shell/security';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function send(res: http.ServerResponse, status: number, body: string | Buffer, type: string): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

const sendJson = (res: http.ServerResponse, status: number, value: unknown) => send(res, status, JSON.stringify(value), 'application/json');

/** The body, or null past `limit` bytes (the door's limit for the call, as over Electron IPC). */
function readBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(null);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `served`: told of each static file sent (the launch order: main/page-first.ts). */
export function createHarnessServer(
  backend: Pick<StartupGate, 'invoke' | 'backend'>,
  webRoot: string,
  port: number,
  served: (file: string) => void = () => undefined,
): http.Server {
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  // Pages listening to main's events (GET /events, server-sent events).
  const listeners = new Set<http.ServerResponse>();
  const emit = (event: AppEvent) => listeners.forEach((res) => res.write(`data: ${event}\n\n`));
  const invoke = announcing((name, input) => backend.invoke(name, input), emit);
  return http.createServer((req, res) => {
    void (async () => {
      const host = req.headers.host ?? '';
      const origin = req.headers.origin;
      if (!allowedHosts.has(host) || (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, '')))) {
        return sendJson(res, 403, { ok: false, error: { code: 'UNTRUSTED_SENDER', message: 'Only this machine may use the harness.' } });
      }
      const url = new URL(req.url ?? '/', `http://${host}`);
      if (url.pathname === '/events') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
        res.write(': listening\n\n');
        listeners.add(res);
        req.on('close', () => listeners.delete(res));
        return;
      }
      // A finished CSV export, as a download (the desktop app asks where to save instead).
      const download = /^\/exports\/([0-9a-f-]{36})$/.exec(url.pathname);
      if (download && req.method === 'GET') {
        const result = backend.backend()?.context.jobs.get(download[1] as string)?.result as { file?: string } | null | undefined;
        if (!result?.file || !fs.existsSync(result.file)) return send(res, 404, 'That export is no longer here.', 'text/plain; charset=utf-8');
        res.writeHead(200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="${path.basename(result.file)}"`,
          'X-Content-Type-Options': 'nosniff',
          'Cache-Control': 'no-store',
        });
        return void fs.createReadStream(result.file).pipe(res);
      }
      if (url.pathname.startsWith('/api/')) {
        if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').startsWith('application/json')) {
          return sendJson(res, 405, { ok: false, error: { code: 'INVALID', message: 'Calls are POSTed as JSON.' } });
        }
        const name = decodeURIComponent(url.pathname.slice('/api/'.length));
        // The door (invoke) checks the exact size; this only stops reading a body no call takes.
        const body = await readBody(req, inputLimit(name) + 64 * 1024);
        if (body === null) {
          return sendJson(res, 413, { ok: false, error: { code: 'TOO_LARGE', message: 'The request is too large.' } });
        }
        let input: unknown;
        try {
          input = body === '' ? {} : JSON.parse(body);
        } catch {
          return sendJson(res, 400, { ok: false, error: { code: 'INVALID', message: 'The request body is not JSON.' } });
        }
        return sendJson(res, 200, await invoke(name, input));
      }
      // Static files of the renderer build; every other path is the app (client-side routes).
      const file = path.normalize(path.join(webRoot, url.pathname));
      if (file.startsWith(webRoot + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        send(res, 200, fs.readFileSync(file), TYPES[path.extname(file)] ?? 'application/octet-stream');
        return served(file);
      }
      return send(res, 200, fs.readFileSync(path.join(webRoot, 'web.html')), TYPES['.html'] as string);
    })().catch((err: unknown) => sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: String(err) } }));
  });
}
