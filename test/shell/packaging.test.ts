/**
 * The installers' configuration (electron-builder.config.ts), checked without
 * building one: only the built app and the runtime dependencies go in, sqlite3's
 * binding is unpacked from the asar and not rebuilt, the fuses hook really flips
 * the fuses (on a file carrying Electron's fuse wire), and auto-update stays off.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { Arch, type AfterPackContext } from 'electron-builder';
import { describe, expect, it } from 'vitest';
import config, { UPDATE_FEED } from '../../electron-builder.config';
import { afterPack } from '../../scripts/packaging/after-pack';
import { PROJECT_ROOT } from '../support/harness';

const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};
const patterns = (config.files as string[]) ?? [];
const include = patterns.filter((p) => !p.startsWith('!'));
const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));

/** electron-builder's rule: a file goes in when a pattern takes it (node_modules of dependencies always) and no `!` pattern drops it or a folder above it. */
function packaged(file: string): boolean {
  const taken = file.startsWith('node_modules/') || include.some((p) => path.matchesGlob(file, p));
  const parts = file.split('/');
  const dropped = parts.some((_, i) => exclude.some((p) => path.matchesGlob(parts.slice(0, i + 1).join('/'), p)));
  return taken && !dropped;
}

describe('packaging configuration', () => {
  it('ships only the built app: no tracked source, test, script, .ci, doc or browser harness file goes in', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(tracked.length).toBeGreaterThan(100);
    expect(tracked.filter((f) => packaged(f))).toEqual(['package.json']);
    for (const built of ['out/main/index.js', 'out/main/chunks/demo-abc.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/renderer/assets/index-abc.js']) {
      expect(packaged(built), built).toBe(true);
    }
    for (const left of ['out/web/web.html', 'out/web/assets/web-abc.js', 'out/main/index.js.map', 'test-results/vitest.json', 'dist/CertDesk.AppImage']) {
      expect(packaged(left), left).toBe(false);
    }
  });

  it('unpacks sqlite3 binding from the asar, leaves out its C sources, and never rebuilds it', () => {
    const binding = 'node_modules/sqlite3/build/Release/node_sqlite3.node';
    expect(packaged(binding)).toBe(true);
    expect(packaged('node_modules/sqlite3/lib/sqlite3.js')).toBe(true);
    for (const left of ['node_modules/sqlite3/src/database.cc', 'node_modules/sqlite3/deps/sqlite-autoconf.tar.gz', 'node_modules/sqlite3/build/Release/obj.target/node_sqlite3.node', 'node_modules/sqlite3/build/Release/sqlite3.a']) {
      expect(packaged(left), left).toBe(false);
    }
    const unpack = [config.asarUnpack ?? []].flat();
    expect(unpack.some((p) => path.matchesGlob(binding, p))).toBe(true);
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(false);
    expect(config.nodeGypRebuild).toBe(false);
  });

  it('has runtime dependencies only for what main loads; renderer libraries, pg and build tools are devDependencies', () => {
    const runtime = Object.keys(pkg.dependencies);
    for (const renderer of ['react', 'react-dom', '@mantine/core', 'mantine-datatable', 'react-querybuilder', 'dayjs', 'clsx', 'pg', 'electron', 'electron-builder']) {
      expect(runtime, renderer).not.toContain(renderer);
      expect(Object.keys(pkg.devDependencies)).toContain(renderer);
    }
    // Each runtime dependency is imported by main's own code (not by tests or scripts only).
    const mainSources = execFileSync('git', ['ls-files', 'main'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(PROJECT_ROOT, f), 'utf8'))
      .join('\n');
    for (const dep of runtime) expect(mainSources, dep).toMatch(new RegExp(`from '${dep}[/']|import\\('${dep}[/']`));
    // Demo data's faker is loaded only when demo data is asked for, never at start-up.
    expect(mainSources).not.toMatch(/^import [^;]*from '\.\.?\/(services\/)?demo';/m);
  });

  it('builds AppImage and deb, NSIS and dmg with the app id, product name and a 512x512 icon', () => {
    expect(config.appId).toBe('org.certdesk.desktop');
    expect(config.productName).toBe('CertDesk');
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    const png = fs.readFileSync(path.join(PROJECT_ROOT, String(config.icon)));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
  });

  it('configures an update channel but publishes nothing and ships no updater until a feed exists', () => {
    expect(config.publish).toEqual([{ provider: 'generic', url: UPDATE_FEED, channel: 'latest' }]);
    expect(new URL(UPDATE_FEED).hostname.endsWith('.invalid')).toBe(true);
    expect(pkg.scripts['package']).toContain('--publish never');
    expect(Object.keys(pkg.dependencies)).not.toContain('electron-updater');
  });

  it('flips the fuses in the packaged binary after packing: no RunAsNode, NODE_OPTIONS or --inspect; cookie encryption, asar integrity, asar only', async () => {
    expect(config.afterPack).toBe(afterPack);
    const appOutDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-fuses-'));
    // What Electron's binary carries: the sentinel, wire version 1, its length, then one byte per fuse.
    const wire = Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX');
    const binary = path.join(appOutDir, 'certdesk');
    fs.writeFileSync(binary, Buffer.concat([Buffer.alloc(1000, 7), wire, Buffer.from([1, 9]), Buffer.from('101001011'), Buffer.alloc(1000, 7)]));
    const context = {
      appOutDir,
      electronPlatformName: 'linux',
      arch: Arch.x64,
      packager: { executableName: 'certdesk', appInfo: { productFilename: 'CertDesk' } },
    } as unknown as AfterPackContext;
    await afterPack(context);
    const fuses = await getCurrentFuseWire(binary);
    expect(fuses[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
    expect(fuses[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    fs.rmSync(appOutDir, { recursive: true, force: true });
  });
});
