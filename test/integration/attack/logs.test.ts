// Attacker tests, logs (finding 9 of the security review): a guest tries to fill the host's disk
// through the logs qvmd keeps for it. A real QEMU guest prints to its serial console without end,
// and a hostile guest on a network floods dnsmasq with DHCP; each log stays under the admin's cap
// (config logs.maxBytes), cut in place while its writer (QEMU, dnsmasq) keeps appending.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { names } from "../../../agent/src/constants";
import { TestAgent } from "../../helpers/agent";
import { Guest } from "../../helpers/hosts";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

const CAP = 64 * 1024;
const FRAMES = path.resolve(__dirname, "..", "..", "helpers", "frames.py");
const MARKER = new RegExp(`^\\[qvmd: \\d+ earlier bytes dropped; this log is kept under ${CAP} bytes\\]\\n`);

/**
 * A 1 MiB raw disk whose boot sector writes one line to COM1 (port 0x3f8) for ever:
 *   xor ax,ax; mov ds,ax; cld; start: mov dx,0x3f8; mov si,msg
 *   next: lodsb; test al,al; jz start; out dx,al; jmp next; msg: db "...",13,10,0
 */
function floodDisk(): Buffer {
  const disk = Buffer.alloc(1024 * 1024);
  const code = [
    0x31, 0xc0, 0x8e, 0xd8, 0xfc, 0xba, 0xf8, 0x03, 0xbe, 0x13, 0x7c, 0xac, 0x84, 0xc0, 0x74, 0xf5,
  ];
  Buffer.from([...code, 0xee, 0xeb, 0xf8]).copy(disk, 0);
  Buffer.from("qvx: a guest printing on its serial console without end\r\n\0", "latin1").copy(disk, 19);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  return disk;
}

const sizeOf = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Samples `file` while `more` says its writer should go on: the largest size seen, and a lower
 * bound of what was written (growth between samples; a cut adds nothing).
 */
async function watch(file: string, more: (written: number, max: number) => Promise<boolean>) {
  let max = 0;
  let written = 0;
  let last = 0;
  let cuts = 0;
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline && (await more(written, max))) {
    const size = sizeOf(file);
    if (size >= last) written += size - last;
    else cuts++;
    last = size;
    max = Math.max(max, size);
    await sleep(20);
  }
  return { max, written, cuts };
}

/** Waits until a sweep has brought `file` under the cap (its writer paused or done). */
async function underCap(file: string): Promise<string> {
  for (let i = 0; i < 100 && sizeOf(file) > CAP; i++) await sleep(100);
  const size = sizeOf(file);
  assert.ok(size <= CAP, `${file} is ${size} bytes, over the cap of ${CAP}`);
  return fs.readFileSync(file, "latin1");
}

describe("attack: a guest filling the disk through its logs (finding 9)", function () {
  this.timeout(240000);
  const agent = new TestAgent({}, { config: { logs: { maxBytes: CAP } } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-logs-"));
  const guest = new Guest("qvxdhf", "52:54:00:4c:00:01");

  before(async () => {
    const c = await agent.start();
    fs.writeFileSync(path.join(dir, "flood.img"), floodDisk());
    await c.applyImage({ id: "flood", source: `file://${path.join(dir, "flood.img")}`, format: "raw" });
  });
  after(async () => {
    await guest.destroy();
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a guest printing without end: its serial log stays under the cap while QEMU writes", async () => {
    const c = agent.client!;
    await c.applyInstance({ id: "flood", image_id: "flood", memory_mb: 128, nics: [], running: true });
    const log = path.join(agent.stateDir, "instances", "flood", "serial.log");
    // Until the guest has written far more than the cap, and more than four times the largest
    // size the file ever had.
    const seen = await watch(log, async (w, max) => w < 32 * CAP || w < 4 * max);
    assert.ok(seen.written >= 32 * CAP, `the guest wrote only ${seen.written} bytes`);
    assert.ok(seen.cuts > 0, "the log was cut");
    assert.ok(seen.max * 4 <= seen.written, `the file held ${seen.max} of the ${seen.written} bytes written`);
    // Paused, the guest writes nothing; the next sweep leaves the newest part under the cap.
    const { pid } = JSON.parse(fs.readFileSync(path.join(agent.runDir, `qvm-flood.pid`), "utf8")) as {
      pid: number;
    };
    process.kill(pid, "SIGSTOP");
    try {
      const text = await underCap(log);
      assert.match(text, MARKER, "the cut says how much went");
      assert.match(
        text,
        /\nqvx: a guest printing on its serial console without end\r\n/,
        "the newest lines kept",
      );
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await c.deleteInstance("flood");
  });

  it("a guest flooding DHCP: dnsmasq's log stays under the cap while dnsmasq writes", async () => {
    const c = agent.client!;
    const n = await c.applyNetwork({ id: "qxl", cidr: "10.243.0.0/24", nat: false, dhcp: { enabled: true } });
    // Recorded, not started: the guest below stands where its TAP would be (behind its fence).
    await c.applyInstance({
      id: "dh",
      image_id: "flood",
      memory_mb: 128,
      nics: [{ network_id: "qxl", mac: guest.mac }],
      running: false,
    });
    await guest.plug(n.namespace, n.bridge, names.tap("dh", 0));
    const log = path.join(agent.stateDir, "networks", "qxl", "dnsmasq.log");
    const discover = ["python3", FRAMES, `${guest.name}g`, "dhcp", guest.mac, "68", "67", guest.mac];
    const seen = await watch(log, async (w, max) => {
      if (w >= 16 * CAP && w >= 4 * max) return false;
      await guest.exec("env", "FRAMES_COUNT=200", ...discover);
      return true;
    });
    assert.ok(seen.written >= 16 * CAP, `dnsmasq wrote only ${seen.written} bytes`);
    assert.ok(seen.cuts > 0, "the log was cut");
    assert.ok(seen.max * 4 <= seen.written, `the file held ${seen.max} of the ${seen.written} bytes written`);
    const text = await underCap(log);
    assert.match(text, MARKER, "the cut says how much went");
    assert.match(
      text,
      /DHCPDISCOVER\S* 52:54:00:4c:00:01/,
      `dnsmasq's newest lines kept: ${text.slice(-300)}`,
    );
    // dnsmasq still serves: its log was cut under it, not taken away.
    assert.match((await guest.dhcp()).ip, /^10\.243\.0\./);
  });
});
