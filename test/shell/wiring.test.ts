/**
 * The Electron shell's wiring, loaded without the Electron binary: every
 * contract call has a handler and an IPC channel, foreign senders are refused,
 * and every window gets the secure options and guards.
 */
import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions, IpcMainInvokeEvent } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { CALL_NAMES, channelOf } from '../../main/ipc/calls';
import { INPUTS } from '../../main/ipc/contract';
import { handlers } from '../../main/ipc/handlers';
import { registerIpc } from '../../main/shell/ipc';
import { CONTENT_SECURITY_POLICY, denyAllPermissions, guardWebContents } from '../../main/shell/security';
import { createWindow, mainWindowOptions, settingsWindowOptions, type WindowFactory } from '../../main/shell/windows';

const APP_URL = 'file:///opt/certdesk/out/renderer/index.html';

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
      appOrigin: null,
      windowIds: () => new Set([1]),
    });
    expect(channels.sort()).toEqual(CALL_NAMES.map(channelOf).sort());
    expect([...registered.keys()].sort()).toEqual(channels);
  });

  it('passes calls from the app window through and refuses foreign frames, sub-frames and unknown windows', async () => {
    const registered = new Map<string, (event: IpcMainInvokeEvent, input: unknown) => unknown>();
    const invoke = vi.fn((name: string) => Promise.resolve({ ok: true as const, value: name }));
    registerIpc({ handle: (ch, fn) => void registered.set(ch, fn) }, invoke, { appOrigin: null, windowIds: () => new Set([1]) });
    const list = registered.get(channelOf('tracking.list'));
    expect(list).toBeDefined();
    await expect(list?.(fakeEvent({}), {})).resolves.toEqual({ ok: true, value: 'tracking.list' });
    for (const event of [
      fakeEvent({ url: 'https://evil.example/' }),
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
    const plan = { preload: '/app/out/preload/index.cjs', appOrigin: null };
    for (const options of [mainWindowOptions(plan), settingsWindowOptions(plan, undefined)]) {
      createWindow(FakeWindow as unknown as WindowFactory, options, null);
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
    guardWebContents(contents as never, null);
    const navigate = (url: string) => {
      const event = { preventDefault: vi.fn() };
      contents.emit('will-navigate', event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('javascript:alert(1)')).toBe(true);
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
