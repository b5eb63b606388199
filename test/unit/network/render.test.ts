import * as assert from "node:assert/strict";
import { paths } from "../../../agent/src/constants";
import {
  renderDhcpHosts,
  renderDnsmasqConf,
  renderNftTable,
  renderNsBatch,
  renderRootBatch,
} from "../../../agent/src/network/render";
import { resolveNetwork } from "../../../agent/src/network/spec";

const n = resolveNetwork({
  id: "ab12",
  cidr: "10.9.0.0/24",
  nat: true,
  dhcp: { enabled: true, reservations: [{ mac: "52:54:00:00:00:01", ip: "10.9.0.10", hostname: "web" }] },
}).network!;

describe("renderers", () => {
  it("replaces the nft table whole in one script that is valid whether or not it exists", () => {
    const t = renderNftTable(n);
    const lines = t.split("\n");
    assert.deepEqual(lines.slice(0, 3), [
      "table inet qvm_ab12",
      "delete table inet qvm_ab12",
      "table inet qvm_ab12 {",
    ]);
    assert.match(t, /ip saddr 10\.9\.0\.0\/24 ip daddr != 10\.9\.0\.0\/24 oifname != "qvmab12h" masquerade/);
    assert.match(t, /iifname "qvmab12h" oifname "qvm\*" drop/);
    assert.ok(!/\bfwd\b/.test(t), "fwd is an nft keyword");
  });

  it("routes without masquerade when nat is off, and drops all egress when isolated", () => {
    const routed = renderNftTable({ ...n, nat: false });
    assert.ok(!routed.includes("masquerade"));
    assert.match(routed, /iifname "qvmab12h" meta nfproto ipv4 ip saddr 10\.9\.0\.0\/24 accept/);
    const isolated = renderNftTable({ ...n, isolated: true });
    assert.ok(!isolated.includes("masquerade"));
    assert.match(isolated, /iifname "qvmab12h" drop/);
    assert.ok(!/iifname "qvmab12h" meta nfproto ipv4 ip saddr .* accept/.test(isolated), "no egress at all");
  });

  it("drops everything else guests send: spoofed sources and IPv6 end at a final drop (finding 6)", () => {
    const t = renderNftTable(n);
    assert.match(
      t,
      /iifname "qvmab12h" meta nfproto ipv4 ip saddr 10\.9\.0\.0\/24 accept\n\s+iifname "qvmab12h" drop\n/,
    );
    // The inbound chain answers nothing a guest did not start, and IPv6 not at all.
    assert.match(t, /iifname "qvmab12h" meta nfproto ipv4 ct state established,related accept/);
    assert.match(t, /iifname "qvmab12h" drop\n {2}\}\n\}\n$/, "the inbound chain ends with a drop");
  });

  it("opens the gateway's DNS port only while a forwarder serves it, and never DHCP's (finding 6)", () => {
    const none = renderNftTable(n);
    assert.ok(!/dport (53|67)\b/.test(none), "no forwarder: no DNS, and DHCP is served in the namespace");
    const dns = renderNftTable(n, { dnsPort: 53 });
    assert.match(dns, /iifname "qvmab12h" ip saddr 10\.9\.0\.0\/24 ip daddr 10\.9\.0\.1 udp dport 53 accept/);
    assert.match(dns, /iifname "qvmab12h" ip saddr 10\.9\.0\.0\/24 ip daddr 10\.9\.0\.1 tcp dport 53 accept/);
    assert.ok(!/dport 67/.test(dns));
    assert.match(renderNftTable(n, { dnsPort: 5353 }), /udp dport 5353 accept/);
    assert.throws(() => renderNftTable(n, { dnsPort: 0 }), /bad DNS port/);
  });

  it("lets port-forwarded (DNAT) connections reach guests", () => {
    assert.match(renderNftTable(n), /oifname "qvmab12h" ct status dnat accept\n\s+oifname "qvmab12h" drop/);
  });

  it("creates links only when missing and always re-asserts addresses", () => {
    const fresh = renderRootBatch(n, { netns: true, hostVeth: false, bridge: false });
    assert.match(fresh[0]!, /^link add qvmab12h mtu 1500 type veth peer name qvmab12n netns qvm-ab12$/);
    const again = renderRootBatch(n, { netns: true, hostVeth: true, bridge: true });
    assert.ok(!again.some((l) => l.startsWith("link add")));
    assert.ok(again.includes("address replace 10.9.0.1/24 dev qvmab12h"));
    const ns = renderNsBatch(n, { netns: true, hostVeth: true, bridge: true });
    assert.ok(ns.includes("address replace 10.9.0.254/24 dev qvmab12b"));
    assert.ok(ns.includes("route replace default via 10.9.0.1 dev qvmab12b"));
  });

  it("makes a missing namespace in the root batch, before the veth that moves into it", () => {
    const none = renderRootBatch(n, { netns: false, hostVeth: false, bridge: false });
    assert.equal(none[0], "netns add qvm-ab12");
    assert.match(none[1]!, /^link add qvmab12h .* netns qvm-ab12$/);
    assert.ok(
      !renderRootBatch(n, { netns: true, hostVeth: false, bridge: false }).some((l) => l.startsWith("netns")),
    );
  });

  it("renders dnsmasq for DHCP only, advertising only the gateway as DNS server, dropping root", () => {
    const p = paths({ stateDir: "/s", runDir: "/r" });
    const conf = renderDnsmasqConf(n, p, { user: "qvmd-dhcp", group: "qvmd-dhcp" });
    assert.match(conf, /^user=qvmd-dhcp$/m);
    assert.match(conf, /^group=qvmd-dhcp$/m);
    assert.ok(!/user=root/.test(conf));
    assert.throws(() => renderDnsmasqConf(n, p, { user: "root", group: "x" }), /unprivileged/);
    assert.throws(() => renderDnsmasqConf(n, p, { user: "a\nport=53", group: "x" }), /unprivileged/);
    assert.match(conf, /^port=0$/m);
    assert.match(conf, /^dhcp-range=10\.9\.0\.2,10\.9\.0\.253,255\.255\.255\.0,3600s$/m);
    assert.match(conf, /^dhcp-option=option:dns-server,10\.9\.0\.1$/m);
    assert.match(conf, /^no-ping$/m);
    assert.equal(renderDhcpHosts(n), "52:54:00:00:00:01,10.9.0.10,web\n");
  });
});
