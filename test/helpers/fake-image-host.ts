// A fake image host: fetches served from memory and inspections decided per digest, so the image
// store's bookkeeping runs in unit tests without root. Files in the (temporary) state directory are
// real.
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import { QvmdError } from "../../agent/src/errors";
import type { ImageHost } from "../../agent/src/image/host";
import type { Inspected } from "../../agent/src/image/inspect";
import { CallLog } from "./fake-net-host";

export class FakeImageHost extends CallLog implements ImageHost {
  /** Bytes behind each source URL. */
  readonly sources = new Map<string, Buffer>();
  /** What inspection finds in a blob, by its digest (a code: refused); default: raw, its size. */
  readonly info = new Map<string, Partial<Inspected> | { refused: QvmdError["code"] }>();
  /** A fetch of one of these URLs, its bytes written, waits for its promise (a slow download). */
  readonly gates = new Map<string, Promise<void>>();

  async fetch(
    source: URL,
    dest: string,
    onProgress: (done: number, total: number) => void,
    _property: string,
    cancelled?: AbortSignal,
  ) {
    this.note(`fetch ${source.href}`);
    const bytes = this.sources.get(source.href);
    if (!bytes) throw new QvmdError("invalid", "IMAGE_SOURCE_MISSING", `cannot read ${source.href}`);
    await fs.writeFile(dest, bytes);
    const gate = this.gates.get(source.href);
    if (gate) {
      // A held download ends when its call is cancelled, as the real one does.
      const stop = new Promise<void>((_, reject) =>
        cancelled?.addEventListener("abort", () => reject(new Error("cancelled")), { once: true }),
      );
      await Promise.race([gate, stop]);
      this.note(`fetched ${source.href}`);
    }
    onProgress(bytes.length, bytes.length);
    return { sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
  }

  async inspect(file: string, property: string): Promise<Inspected> {
    const digest = file.slice(file.lastIndexOf("/") + 1);
    const size = (await fs.stat(file)).size;
    const found = this.info.get(digest);
    if (found && "refused" in found)
      throw new QvmdError("invalid", found.refused, "image refused", { property });
    return { format: "raw", virtualSizeBytes: size, ...found };
  }
}

export const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
