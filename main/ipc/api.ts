/**
 * The renderer's API: one named function per call, grouped by domain
 * (`api.records.setStatus(input)`). Built from a transport, so the preload
 * (Electron IPC) and the browser harness (HTTP) expose exactly the same thing.
 */
import { CALL_NAMES, type CallName } from './calls';
import type { Envelope, FirstScreen, Input, Result } from './contract';

export type Transport = (name: CallName, input: unknown) => Promise<unknown>;

type Domain<N> = N extends `${infer D}.${string}` ? D : never;
type CallsOf<D extends string> = Extract<CallName, `${D}.${string}`>;
type MethodOf<N> = N extends `${string}.${infer M}` ? M : never;

export type CertDeskApi = {
  [D in Domain<CallName>]: {
    [N in CallsOf<D> as MethodOf<N>]: (input: Input<N>) => Promise<Envelope<Result<N>>>;
  };
};

export function createApi(transport: Transport): CertDeskApi {
  const api: Record<string, Record<string, (input: unknown) => Promise<unknown>>> = {};
  for (const name of CALL_NAMES) {
    const [domain = '', method = ''] = name.split('.');
    api[domain] ??= {};
    (api[domain] as Record<string, (input: unknown) => Promise<unknown>>)[method] = (input: unknown) => transport(name, input);
  }
  return api as unknown as CertDeskApi;
}

export interface EarlyStart {
  /** The first screen's answer the first time; null after that. */
  takeFirstScreen(): Promise<Envelope<FirstScreen>> | null;
}

/**
 * Sends the first screen's call as the page starts, from whatever installs the API (the preload, or the
 * browser harness's first module): main answers while the renderer's scripts are still being evaluated,
 * not after (issue 17). `hash`: the page's address hash; the Tracking part is asked for only there.
 */
export function sendFirstScreen(api: CertDeskApi, hash: string): EarlyStart {
  let pending: Promise<Envelope<FirstScreen>> | null = api.app.firstScreen({ tracking: hash === '#tracking' });
  return {
    takeFirstScreen() {
      const taken = pending;
      pending = null;
      return taken;
    },
  };
}
