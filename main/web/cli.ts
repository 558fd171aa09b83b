/**
 * `npm run web -- --data DIR [--demo] [--port N] [--as admin|staff] [--now ISO-TIME] [--test-password-cost]`
 * Serves the renderer and the real main-process handlers to a browser at
 * http://127.0.0.1:N. A test and demo harness: loopback only, never packaged.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Backend } from '../backend';
import { whenPageServed } from '../page-first';
import { loadProgram, startGated, StartupReporter } from '../startup';
import { createHarnessServer } from './server';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    demo: { type: 'boolean', default: false },
    port: { type: 'string', default: '4310' },
    as: { type: 'string' },
    build: { type: 'boolean', default: false },
    now: { type: 'string' },
    // Automated tests only: new password hashes at scrypt N = 2^10 instead of OWASP's 2^17 (0.3–1 s each).
    'test-password-cost': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const dataDir = values.data ? path.resolve(values.data) : fail('Usage: npm run web -- --data DIR [--demo] [--port N] [--as admin|staff]');
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port must be a port number, not ${values.port}`);
if (values.as !== undefined && values.as !== 'admin' && values.as !== 'staff') fail('--as takes admin or staff');
// --now: the harness's clock starts at that instant and runs on from there (the benchmark's
// database is dated; a demo can show a later day's sweep).
const startsAt = values.now === undefined ? null : Date.parse(values.now);
if (startsAt !== null && !Number.isFinite(startsAt)) fail(`--now must be a date and time such as 2026-06-15T15:00:00Z, not ${values.now}`);
const started = Date.now();
const clock = { now: () => new Date(startsAt === null ? Date.now() : startsAt + (Date.now() - started)) };

/** The checkout this runs from: two folders up from main/web, or up from out/harness when bundled (the benchmark). */
function findProjectRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  return path.resolve(from, '../..');
}
const projectRoot = findProjectRoot(import.meta.dirname);
const webRoot = path.join(projectRoot, 'out/web');
if (values.build || !fs.existsSync(path.join(webRoot, 'web.html'))) {
  process.stdout.write('Building the renderer for the browser…\n');
  const { build } = await import('vite');
  // A production build whatever started us: vitest sets NODE_ENV=test, and vite and the React plugin
  // build React's development runtime (owner stacks on every element, 2-3x the render time) for any NODE_ENV but production.
  process.env['NODE_ENV'] = 'production';
  await build({ configFile: path.join(projectRoot, 'renderer/vite.web.config.ts'), logLevel: 'warn' });
}

const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
const log = (m: string, e?: unknown) => process.stderr.write(`${m}: ${String(e)}\n`);

/** The harness's start: the backend, then (with --demo on a new folder) users and demo data, then --as. */
const page = whenPageServed();

async function start(reporter: StartupReporter): Promise<Backend> {
  // Loaded only once the page has its scripts (main/page-first.ts): the page compiles them while main
  // loads knex, zod and the services (a few hundred ms of a launch), as the desktop shell does.
  await page.done;
  const [{ startBackend }, { SYSTEM }, { countUsers, createUser, listUsers, TEST_PASSWORD_COST }] = await loadProgram(() =>
    Promise.all([import('../backend'), import('../services/context'), import('../services/users')]),
  );
  const passwordCost = values['test-password-cost'] ? { passwordCost: TEST_PASSWORD_COST } : {};
  const backend = await startBackend({ dataDir, version: pkg.version, clock, log, startup: reporter, ...passwordCost });
  try {
    const services = backend.context.services;
    if (values.demo && (await countUsers(services)) === 0) {
      reporter.enter('demo');
      const passwords = { admin: randomBytes(9).toString('base64url'), staff: randomBytes(9).toString('base64url') };
      await createUser(services, { username: 'admin', displayName: 'Avery Admin', role: 'admin', password: passwords.admin });
      await createUser(services, { username: 'staff', displayName: 'Sam Staff', role: 'staff', password: passwords.staff });
      process.stdout.write('Loading demo data…\n');
      const { loadDemoData } = await import('../services/demo');
      const demo = await loadDemoData(services, SYSTEM);
      process.stdout.write(`Demo data: ${demo.contacts} contacts, ${demo.records} certification records.\n`);
      process.stdout.write(`Demo users: admin / ${passwords.admin}   staff / ${passwords.staff}\n`);
    }
    if (values.as) {
      const user = (await listUsers(services)).find((u) => u.role === values.as && !u.disabled);
      if (!user) fail(`No ${values.as} user exists in ${dataDir}; start with --demo on a new folder.`);
      backend.context.session.user = user;
      process.stdout.write(`Signed in as ${user.username} (${user.role}) for this harness session.\n`);
    }
    return backend;
  } catch (err) {
    await backend.close();
    throw err;
  }
}

// The page is served at once and shows the start-up screen (startup.status) until the backend is ready.
const gate = startGated({
  dataDir,
  start,
  reporter: new StartupReporter(values.demo ? ['database', 'demo'] : undefined),
  now: () => clock.now(),
  log,
});
const server = createHarnessServer(gate, webRoot, port, (file) => page.served(file));
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`Starting at http://127.0.0.1:${port} (the page shows the start-up screen)\n`);
  // Tests and scripts wait for this line: it comes once calls are answered.
  void gate.whenReady().then((backend) => {
    if (backend) process.stdout.write(`CertDesk web harness: http://127.0.0.1:${port}\n`);
    else {
      const refused = gate.reporter.status.refused;
      process.stderr.write(
        `${refused?.message ?? 'The database was refused.'}\nThe file was left untouched.${refused?.newestBackup ? ` Newest good backup: ${refused.newestBackup} (the page offers to restore it).` : ' There is no backup.'}\n`,
      );
    }
  });
});

const shutdown = () => {
  server.close();
  void gate.close().finally(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
