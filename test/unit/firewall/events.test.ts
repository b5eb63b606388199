import * as assert from "node:assert/strict";
import { classifyMonitorLine, summarize } from "../../../agent/src/firewall/events";

describe("firewall: nft monitor lines (pure)", () => {
  it("repairs on removals in our tables and on flush ruleset", () => {
    for (const l of [
      "delete table inet qvm_x",
      "delete chain inet qvm_x forwarding",
      "delete rule inet qvm_x forwarding handle 6",
      "delete set inet qvm_qi1 __set0",
      "flush chain inet qvm_x forwarding",
      "flush table inet qvm_x",
      "destroy table inet qvm_x",
    ])
      assert.equal(classifyMonitorLine(l), l, l);
    assert.equal(classifyMonitorLine("flush ruleset"), "flush ruleset");
  });

  it("repairs when the iptables FORWARD chain loses rules or is (re)defined (policy)", () => {
    for (const l of [
      "delete rule ip filter FORWARD handle 3",
      "flush chain ip filter FORWARD",
      "delete chain ip filter FORWARD",
      "add chain ip filter FORWARD { type filter hook forward priority filter; policy drop; }",
      "delete table ip filter",
    ])
      assert.equal(classifyMonitorLine(l), l, l);
  });

  it("ignores additions, other tables, other chains, comments and blank lines", () => {
    for (const l of [
      "add table inet qvm_x",
      "add chain inet qvm_x forwarding { type filter hook forward priority filter; policy accept; }",
      'add rule inet qvm_x forwarding iifname "qvmxh" accept',
      'insert rule ip filter FORWARD iifname "qvmxh" counter packets 0 bytes 0 accept',
      "add table ip filter",
      "delete rule ip filter INPUT handle 4",
      "delete rule ip nat DOCKER handle 9",
      "delete table inet firewalld",
      "delete rule ip6 filter FORWARD handle 3",
      "delete table inet qvmother",
      "# new generation 42 by process 77 (nft)",
      "",
      "   ",
    ])
      assert.equal(classifyMonitorLine(l), undefined, l);
  });

  it("shortens long lines and summarizes bursts", () => {
    const long = `delete rule inet qvm_x forwarding ${"x".repeat(200)}`;
    assert.equal(classifyMonitorLine(long)!.length, 120);
    assert.equal(summarize([]), "");
    assert.equal(summarize(["a"]), "a");
    assert.equal(summarize(["a", "b", "c"]), "a (+2 more)");
  });
});
