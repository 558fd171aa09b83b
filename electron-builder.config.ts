/**
 * Installers (`npm run package`): AppImage and deb on Linux, NSIS on Windows,
 * dmg on macOS. Build each on its own OS: sqlite3's native binary is the one
 * built for this machine (N-API, so the same file loads in Electron) and is not
 * rebuilt (npmRebuild false: electron-builder's rebuild needs the internet and
 * deleted sqlite3's build when offline, see ECOSYSTEM.md).
 * test/shell/packaging.test.ts checks this file without building anything.
 */
import type { Configuration } from 'electron-builder';
import { afterPack } from './scripts/packaging/after-pack';

/**
 * Where installers would look for updates. Off: the app has no updater until a feed
 * exists (`.invalid` never resolves). To turn it on, publish the installers and
 * latest*.yml there, add electron-updater and call it from main at start-up.
 */
export const UPDATE_FEED = 'https://updates.certdesk.invalid/';

const config: Configuration = {
  appId: 'org.certdesk.desktop',
  productName: 'CertDesk',
  copyright: 'CertDesk',
  directories: { output: 'dist', buildResources: 'build' },
  // Only the built app: no sources, tests, scripts, .ci, docs, or the browser harness (out/web).
  // node_modules holds only `dependencies` (what main loads); renderer libraries are bundled
  // into out/renderer and are devDependencies.
  files: [
    'package.json',
    'out/main/**',
    'out/preload/**',
    'out/renderer/**',
    '!**/*.map',
    // sqlite3: the compiled binding only, not its C sources or build intermediates.
    '!node_modules/sqlite3/{deps,src,node-addon-api,binding.gyp}',
    '!node_modules/sqlite3/build/{binding.Makefile,config.gypi,deps,Makefile,*.mk}',
    '!node_modules/sqlite3/build/Release/{obj,obj.target,.deps,node-addon-api,*.a,*.ar-file-list,test_extension.node}',
  ],
  asar: true,
  // A native module cannot be loaded from inside the asar.
  asarUnpack: ['node_modules/sqlite3/build/Release/*.node'],
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,
  afterPack,
  icon: 'build/icon.png',
  linux: {
    target: ['AppImage', 'deb'],
    executableName: 'certdesk',
    category: 'Office',
    synopsis: 'Certification tracking for professional associations',
    maintainer: 'CertDesk <certdesk@example.org>',
  },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true, deleteAppDataOnUninstall: false },
  mac: { target: ['dmg'], category: 'public.app-category.business', hardenedRuntime: true },
  dmg: { title: 'CertDesk ${version}' },
  publish: [{ provider: 'generic', url: UPDATE_FEED, channel: 'latest' }],
};

export default config;
