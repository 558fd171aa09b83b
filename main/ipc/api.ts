/**
 * The renderer's API: one named function per call, grouped by domain
 * (`api.records.setStatus(input)`). Built from a transport, so the preload
 * (Electron IPC) and the browser harness (HTTP) expose exactly the same thing.
 */
import { CALL_NAMES, type CallName } from './calls';
import type { Envelope, Input, Result } from './contract';

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
