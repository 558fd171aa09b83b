/**
 * electron-builder's afterPack hook: flips Electron's fuses in the packaged
 * binary before it is signed, as Electron's security checklist advises. The app
 * cannot be turned into a Node interpreter (RunAsNode, NODE_OPTIONS, --inspect),
 * cookies are encrypted, and only the app.asar whose integrity the binary checks
 * is loaded. We serve the renderer from app://, so file:// keeps no extra powers.
 */
import path from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';
import { Arch, type AfterPackContext } from 'electron-builder';

export const FUSES = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
} satisfies FuseV1Config;

/** The file that carries the fuse wire (a macOS .app is resolved to its framework by @electron/fuses). */
export function packagedBinary(context: AfterPackContext): string {
  const { appOutDir, electronPlatformName } = context;
  // Only the Linux packager has an executableName (linux.executableName, else the lowercased name).
  const packager = context.packager as AfterPackContext['packager'] & { executableName?: string };
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    default:
      return path.join(appOutDir, packager.executableName ?? packager.appInfo.sanitizedName.toLowerCase());
  }
}

export async function afterPack(context: AfterPackContext): Promise<void> {
  // arm64 macOS refuses to run a binary whose ad-hoc signature no longer matches.
  const resetAdHocDarwinSignature = context.electronPlatformName === 'darwin' && (context.arch === Arch.arm64 || context.arch === Arch.universal);
  await flipFuses(packagedBinary(context), { ...FUSES, resetAdHocDarwinSignature });
}
