// UEFI firmware as Debian ships it (packages `ovmf` and `qemu-efi-aarch64`). The code image is
// shared and read-only; every instance gets its own copy of the vars template, because the guest
// writes its boot entries there.
import * as fs from "node:fs/promises";
import type { Arch } from "./types";

export function uefiFirmware(arch: Arch): { code: string; varsTemplate: string } {
  if (arch === "aarch64")
    return { code: "/usr/share/AAVMF/AAVMF_CODE.fd", varsTemplate: "/usr/share/AAVMF/AAVMF_VARS.fd" };
  // The 4M build is the one Debian's ovmf recommends for q35; the vars must come from the same build.
  return { code: "/usr/share/OVMF/OVMF_CODE_4M.fd", varsTemplate: "/usr/share/OVMF/OVMF_VARS_4M.fd" };
}

/**
 * Creates the per-instance vars file from the template unless it already exists: an existing file
 * holds the guest's boot entries and must survive restarts. Returns true when it was created.
 */
export async function prepareUefiVars(arch: Arch, dest: string): Promise<boolean> {
  try {
    await fs.copyFile(uefiFirmware(arch).varsTemplate, dest, fs.constants.COPYFILE_EXCL);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}
