// The host operations of the image store, as an interface the manager is given (so its bookkeeping
// runs in unit tests against a fake host), and the real thing: fetch.ts and qemu-img. The blobs
// themselves are files in qvmd's own state directory, which the manager handles directly.
import { run } from "../util/exec";
import { fetchTo, type FetchResult, type OnProgress } from "./fetch";

export interface QemuImgInfo {
  format: string;
  "virtual-size": number;
  "backing-filename"?: string;
}

export interface ImageHost {
  /** Copies or downloads `source` into `dest`, hashing what was written. */
  fetch(source: URL, dest: string, onProgress: OnProgress): Promise<FetchResult>;
  /** `qemu-img info` of a stored blob. */
  imageInfo(file: string): Promise<QemuImgInfo>;
}

export async function qemuImgInfo(file: string): Promise<QemuImgInfo> {
  const r = await run("qemu-img", ["info", "--output=json", file]);
  return JSON.parse(r.stdout) as QemuImgInfo;
}

export const linuxImageHost: ImageHost = { fetch: fetchTo, imageInfo: qemuImgInfo };
