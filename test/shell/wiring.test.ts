/**
 * The Electron shell's wiring, loaded without the Electron binary: every
 * contract call has a handler and an IPC channel, foreign senders are refused,
 * and every window gets the secure options and guards.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserWindowConstructorOptions, IpcMainInvokeEvent } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { CALL_NAMES, channelOf } from '../../main/ipc/calls';
import { INPUTS } from '../../main/ipc/contract';
import { handlers } from '../../main/ipc/handlers';
import { registerIpc } from '../../main/shell/ipc';
import { APP_ORIGIN, resolveAppPath, serveAppRequest } from '../../main/shell/protocol';
import { CONTENT_SECURITY_POLICY, denyAllPermissions, guardWebContents } from '../../main/shell/security';
import { createWindow, mainWindowOptions, settingsWindowOptions, type WindowFactory } from '../../main/shell/windows';

const APP_URL = 'app://certdesk/index.html#settings';

function fakeEvent(opts: { url?: string; parent?: unknown; senderId?: number }): IpcMainInvokeEvent {
  return {
    senderFrame: { url: opts.url ?? APP_URL, parent: opts.parent ?? null },
    sender: { id: opts.senderId ?? 1 },
  } as unknown as IpcMainInvokeEvent;
}

describe('IPC wiring', () => {
  it('has one handler, one input schema and one channel for every contract call', () => {
    expect(Object.keys(handlers).sort()).toEqual([...CALL_NAMES].sort());
    expect(Object.keys(INPUTS).sort()).toEqual([...CALL_NAMES].sort());
    const registered = new Map<string, (event: IpcMainInvokeEvent, input: unknown) => unknown>();
    const channels = registerIpc({ handle: (ch, fn) => void registered.set(ch, fn) }, () => Promise.resolve({ ok: true, value: null }), {
      appOrigin: APP_ORIGIN,
      windowIds: () => new Set([1]),
    });
    expect(channels.sort()).toEqual(CALL_NAMES.map(channelOf).sort());
    expect([...registered.keys()].sort()).toEqual(channels);
  });

  it('passes calls from the app window through and refuses foreign frames, sub-frames and unknown windows', async () => {
    const registered = new Map<string, (event: IpcMainInvokeEvent, input: unknown) => unknown>();
    const invoke = vi.fn((name: string) => Promise.resolve({ ok: true as const, value: name }));
    registerIpc({ handle: (ch, fn) => void registered.set(ch, fn) }, invoke, { appOrigin: APP_ORIGIN, windowIds: () => new Set([1]) });
    const list = registered.get(channelOf('tracking.list'));
    expect(list).toBeDefined();
    await expect(list?.(fakeEvent({}), {})).resolves.toEqual({ ok: true, value: 'tracking.list' });
    for (const event of [
      fakeEvent({ url: 'https://evil.example/' }),
      // Any file on disk is not the app: only app://certdesk is.
      fakeEvent({ url: 'file:///opt/certdesk/out/renderer/index.html' }),
      fakeEvent({ url: 'file:///home/someone/Downloads/page.html' }),
      fakeEvent({ url: 'app://other/index.html' }),
      fakeEvent({ parent: {} }),
      fakeEvent({ senderId: 99 }),
    ]) {
      expect(await list?.(event, {})).toMatchObject({ ok: false, error: { code: 'UNTRUSTED_SENDER' } });
    }
    expect(invoke).toHaveBeenCalledTimes(1);
  });
});

describe('windows', () => {
  class FakeContents extends EventEmitter {
    openHandler: (() => { action: string }) | null = null;
    setWindowOpenHandler(fn: () => { action: string }) {
      this.openHandler = fn;
    }
  }
  const made: BrowserWindowConstructorOptions[] = [];
  class FakeWindow extends EventEmitter {
    webContents = new FakeContents();
    constructor(options: BrowserWindowConstructorOptions) {
      super();
      made.push(options);
    }
    show() {}
  }

  it('makes every window with context isolation, the sandbox, no Node and the preload', () => {
    const plan = { preload: '/app/out/preload/index.cjs', appOrigin: APP_ORIGIN };
    for (const options of [mainWindowOptions(plan), settingsWindowOptions(plan, undefined)]) {
      createWindow(FakeWindow as unknown as WindowFactory, options, APP_ORIGIN);
    }
    expect(made).toHaveLength(2);
    for (const options of made) {
      expect(options.webPreferences).toMatchObject({
        preload: '/app/out/preload/index.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
      });
    }
  });

  it('blocks navigation away from the app, new windows and webviews', () => {
    const contents = new FakeContents();
    guardWebContents(contents as never, APP_ORIGIN);
    const navigate = (url: string) => {
      const event = { preventDefault: vi.fn() };
      contents.emit('will-navigate', event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('javascript:alert(1)')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('file:///opt/certdesk/out/renderer/index.html')).toBe(true);
    expect(navigate('app://other/index.html')).toBe(true);
    expect(navigate(APP_URL)).toBe(false);
    expect(contents.openHandler?.()).toEqual({ action: 'deny' });
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it('denies every permission request', () => {
    const set: {
      request?: (c: unknown, p: string, cb: (ok: boolean) => void) => void;
      check?: () => boolean;
    } = {};
    denyAllPermissions({
      setPermissionRequestHandler: (fn: typeof set.request) => (set.request = fn),
      setPermissionCheckHandler: (fn: typeof set.check) => (set.check = fn),
    } as never);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      const cb = vi.fn();
      set.request?.(null, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
    }
    expect(set.check?.()).toBe(false);
  });

  it('has a strict CSP: own scripts only, no eval, no remote connections', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
  });
});

describe('app:// protocol', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-renderer-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>CertDesk</title>');
  fs.writeFileSync(path.join(root, 'assets', 'index.js'), 'console.log(1)');
  fs.writeFileSync(path.join(path.dirname(root), 'secret.txt'), 'not yours');

  it('maps app://certdesk/ paths into the renderer folder and refuses anything that leaves it', () => {
    expect(resolveAppPath(root, 'app://certdesk/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://certdesk/assets/index.js?v=1#x')).toBe(path.join(root, 'assets', 'index.js'));
    for (const url of [
      'app://certdesk/../secret.txt',
      'app://certdesk/%2e%2e/secret.txt',
      'app://certdesk/assets/..%2f..%2fsecret.txt',
      'app://certdesk/%2e%2e%5csecret.txt',
      'app://certdesk/index.html%00.js',
      'app://certdesk/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
      'not a url',
    ]) {
      const resolved = resolveAppPath(root, url);
      expect(resolved === null || resolved.startsWith(root + path.sep), url).toBe(true);
      expect(resolved === null || fs.existsSync(resolved) === false || !resolved.includes('secret'), url).toBe(true);
    }
    // Dot segments are resolved by the URL parser at the root: the file asked for is root/secret.txt, which is not there.
    expect(resolveAppPath(root, 'app://certdesk/%2e%2e/secret.txt')).toBe(path.join(root, 'secret.txt'));
    for (const url of ['app://certdesk/index.html%00.js', 'app://other/index.html', 'file:///etc/passwd', 'not a url']) expect(resolveAppPath(root, url), url).toBeNull();
  });

  it('serves the files with their type and the CSP, and 404 for anything else', async () => {
    const page = await serveAppRequest(root, 'app://certdesk/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('<title>CertDesk</title>');
    expect((await serveAppRequest(root, 'app://certdesk/assets/index.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const url of ['app://certdesk/../secret.txt', 'app://certdesk/missing.js', 'app://certdesk/assets']) {
      expect((await serveAppRequest(root, url)).status, url).toBe(404);
    }
  });
});
