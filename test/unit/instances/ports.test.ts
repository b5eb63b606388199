// Port-forward rules take only traffic addressed to the host itself (finding 3): with a host
// address too, the fib match stays, so packets the host sends to that address elsewhere are not
// captured.
import * as assert from "node:assert/strict";
import { renderPortTable } from "../../../agent/src/instance/ports";

describe("port-forward table", () => {
  it("matches only local destinations, with or without a host address", () => {
    const t = renderPortTable(
      "a1",
      [
        { hostPort: 8080, guestPort: 80, protocol: "tcp", hostAddress: "" },
        { hostPort: 8053, guestPort: 53, protocol: "udp", hostAddress: "10.0.0.5" },
      ],
      "10.1.0.7",
    );
    const rules = t.split("\n").filter((l) => l.includes("dnat"));
    assert.equal(rules.length, 4, "prerouting and output, each forward");
    for (const r of rules) assert.match(r, /fib daddr type local/);
    assert.ok(
      rules.some((r) =>
        /ip daddr 10\.0\.0\.5 fib daddr type local udp dport 8053 dnat to 10\.1\.0\.7:53/.test(r),
      ),
    );
  });
});
