// make bench's pure parts: reading bench/dns's table, the one table, and the profile's step tree.
import * as assert from "node:assert/strict";
import { dnsRows, table } from "../../../bench/all";
import { profile } from "../../../bench/profile/tree";
import type { Span } from "../../../bench/profile/tracer";

describe("bench report", () => {
  it("reads bench/dns's table, with or without spreads, into qps and p99 rows", () => {
    const out = [
      "case       forwarder  max qps  p99 ms  lost  p50 ms @2000  p99 ms @2000  lost",
      "local      ours       44334    5.18    0     0.095         1.445         0   ",
      "local      dnsmasq    85478 (80000-90000)  2.06    0     0.050         0.480         0",
      "local: ours/dnsmasq qps 0.52x, p99@2000 3.01x",
    ].join("\n");
    const rows = dnsRows(out);
    assert.deepEqual(
      rows.map((r) => [r.figure, r.ours, r.peer]),
      [
        ["DNS local, max qps", 44334, 85478],
        ["DNS local, p99 @2000 qps", 1.445, 0.48],
      ],
    );
    // Columns are found by their header: a CPU column added in between moves nothing.
    const withCpu = [
      "case   forwarder  max qps  p99 ms  cpu us/q  lost  p50 ms @2000  p99 ms @2000  lost",
      "local  ours       44334    5.18    21.0      0     0.095         1.445         0",
      "local  dnsmasq    85478    2.06    9.5       0     0.050         0.480         0",
    ].join("\n");
    assert.deepEqual(
      dnsRows(withCpu).map((r) => [r.figure, r.ours, r.peer]),
      rows.map((r) => [r.figure, r.ours, r.peer]),
    );
  });

  it("prints ratio and whether the goal is met, in the goal's direction", () => {
    const t = table([
      {
        figure: "a",
        bench: "x",
        ours: 150,
        peer: 100,
        peerName: "floor",
        unit: "ms",
        better: "lower",
        goal: "<= 1.5x",
        limit: 1.5,
      },
      {
        figure: "b",
        bench: "x",
        ours: 50,
        peer: 100,
        peerName: "dnsmasq",
        unit: "qps",
        better: "higher",
        goal: ">= 1.0x",
        limit: 1,
      },
      {
        figure: "c",
        bench: "x",
        ours: 130,
        peerName: "",
        unit: "MB",
        better: "lower",
        goal: "<= 120 MB",
        limit: 120,
      },
    ]);
    const lines = t.split("\n");
    assert.match(lines[2]!, /\| a \| 150 ms \| 100 ms floor \| 1\.50x \| <= 1\.5x \| yes \|/);
    assert.match(lines[3]!, /\| b \| 50\.0 qps \| 100 qps dnsmasq \| 0\.50x \| >= 1\.0x \| \*\*no\*\* \|/);
    assert.match(lines[4]!, /\| c \| 130 MB \| - \| - \| <= 120 MB \| \*\*no\*\* \|/);
  });

  it("averages a step tree over calls and keeps self time apart from children", () => {
    const spans: Span[] = [
      { id: 1, parent: 0, name: "Networks.apply", start: 0, end: 100, arg: "a" },
      { id: 2, parent: 1, name: "exec ip", start: 10, end: 40 },
      { id: 3, parent: 1, name: "exec nft", start: 50, end: 70 },
      { id: 4, parent: 0, name: "Networks.apply", start: 200, end: 260, arg: "b" },
      { id: 5, parent: 4, name: "exec ip", start: 200, end: 230 },
      { id: 6, parent: 0, name: "Networks.apply", start: 300, end: 900, arg: "skipped" },
    ];
    const p = profile(spans, "Networks.apply", (s) => s.arg !== "skipped");
    assert.equal(p.samples, 2);
    assert.equal(p.ms, 80);
    assert.equal(p.execs, 1.5);
    const ip = p.steps.find((s) => s.name === "exec ip")!;
    assert.deepEqual([ip.calls, ip.ms], [1, 30]);
    assert.equal(p.steps[0]!.selfMs, (50 + 30) / 2);
  });
});
