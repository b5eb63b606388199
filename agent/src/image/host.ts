// The host operations of the image store, as an interface the manager is given (so its bookkeeping
// runs in unit tests against a fake host), and the real thing: fetch.ts (downloads within the
// admin's policy) and inspect.ts (header checks, then qemu-img with an explicit format). The blobs
// themselves are files in qvmd's own state directory, which the manager handles directly.
import { type DownloadPolicy, fetchTo, type FetchResult, type OnProgress } from "./fetch";
import { type Inspected, inspectImage } from "./inspect";

export interface ImageHost {
  /** Downloads `source` (http or https) into `dest`, hashing what was written; refusals name `property`. */
  fetch(
    source: URL,
    dest: string,
    onProgress: OnProgress,
    property: string,
    cancelled?: AbortSignal,
  ): Promise<FetchResult>;
  /** The format and virtual size of a stored blob, or a refusal naming `property` (inspect.ts). */
  inspect(file: string, property: string): Promise<Inspected>;
}

export function linuxImageHost(downloads: DownloadPolicy): ImageHost {
  return {
    fetch: (source, dest, onProgress, property, cancelled) =>
      fetchTo(source, dest, onProgress, downloads, property, cancelled),
    inspect: inspectImage,
  };
}
