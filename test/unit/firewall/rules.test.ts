import * as assert from "node:assert/strict";
import { versionKind } from "../../../agent/src/firewall/backends";
import {
  describeChain,
  forwardAcceptChanges,
  forwardAcceptSpecs,
  listArgv,
  missingRules,
  owners,
  parseChain,
  renderRestore,
  ruleArgv,
  ruleKind,
  staleRules,
  tokenize,
} from "../../../agent/src/firewall/rules";

// What `iptables -S FORWARD` prints on a host with Docker and ufw, plus two of our networks.
const LISTING = [
  "-P FORWARD DROP",
  '-A FORWARD -o qvmab1h -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "qvm:ab1" -j ACCEPT',
  '-A FORWARD -s 10.1.0.0/24 -i qvmab1h -m comment --comment "qvm:ab1" -j ACCEPT',
  '-A FORWARD -i qvmzzh -m comment --comment "qvm:zz" -j ACCEPT',
  "-A FORWARD -j DOCKER-USER",
  "-A FORWARD -j DOCKER-FORWARD",
  "-A FORWARD -j ufw-before-logging-forward",
  "-A FORWARD -j ufw-before-forward",
  '-A FORWARD -i qvxforeign -m comment --comment "not \\"ours\\" qvm:ab1" -j ACCEPT',
  "-A FORWARD -i qvmab1h -j ACCEPT",
  '-A FORWARD -i eth9 -m comment --comment "qvm:TOOLONGID" -j ACCEPT',
  '-A INPUT -i qvmab1h -m comment --comment "qvm:ab1" -j ACCEPT',
].join("\n");

describe("firewall: iptables FORWARD rules (pure)", () => {
  it("builds the two rules of a network, tagged with its id, in the order iptables lists them", () => {
    // Only the network's own sources are accepted: a spoofed one meets the chain's policy.
    assert.deepEqual(forwardAcceptSpecs("ab1", "10.1.0.0/24"), [
      ["-s", "10.1.0.0/24", "-i", "qvmab1h", "-m", "comment", "--comment", "qvm:ab1", "-j", "ACCEPT"],
      [
        "-o",
        "qvmab1h",
        "-m",
        "conntrack",
        "--ctstate",
        "RELATED,ESTABLISHED",
        "-m",
        "comment",
        "--comment",
        "qvm:ab1",
        "-j",
        "ACCEPT",
      ],
    ]);
    const [spec] = forwardAcceptSpecs("ab1", "10.1.0.0/24");
    assert.deepEqual(ruleArgv("-C", spec!).slice(0, 3), ["-w", "-C", "FORWARD"]);
    // Appended: the admin's rules (DOCKER-USER, ufw, a REJECT of theirs) come first and win.
    assert.deepEqual(ruleArgv("-A", spec!).slice(0, 3), ["-w", "-A", "FORWARD"]);
    assert.deepEqual(ruleArgv("-A", spec!).slice(3), spec);
    assert.deepEqual(listArgv(), ["-w", "-S", "FORWARD"]);
  });

  it("tokenizes iptables' quoting, escapes included", () => {
    assert.deepEqual(tokenize('-A FORWARD -m comment --comment "a \\"b\\" c" -j ACCEPT'), [
      "-A",
      "FORWARD",
      "-m",
      "comment",
      "--comment",
      'a "b" c',
      "-j",
      "ACCEPT",
    ]);
    assert.deepEqual(tokenize('--comment ""'), ["--comment", ""]);
  });

  it("parses the policy, ours by comment, and leaves foreign rules (even mentioning qvm:) unowned", () => {
    const c = parseChain(LISTING);
    assert.equal(c.policy, "DROP");
    assert.equal(c.rules.length, 10, "the INPUT rule is not part of FORWARD");
    assert.deepEqual(
      c.rules.map((r) => r.owner ?? "-"),
      ["ab1", "ab1", "zz", "-", "-", "-", "-", "-", "-", "-"],
    );
    assert.equal(c.rules[1]!.comment, "qvm:ab1");
    assert.deepEqual(
      c.rules[1]!.spec,
      forwardAcceptSpecs("ab1", "10.1.0.0/24")[0],
      "a listed spec is usable for -D",
    );
    assert.equal(c.rules[7]!.comment, 'not "ours" qvm:ab1');
    assert.deepEqual(owners(c), ["ab1", "zz"]);
  });

  it("recognises each rule by meaning and reports what is missing", () => {
    const c = parseChain(LISTING);
    assert.deepEqual(
      c.rules.map((r) => ruleKind(r, "ab1", "10.1.0.0/24") ?? "-"),
      ["out", "in", "-", "-", "-", "-", "-", "-", "-", "-"],
    );
    assert.deepEqual(missingRules(c, "ab1", "10.1.0.0/24", "iptables-nft"), []);
    // zz's accept has no source restriction (an older qvmd's): it is not the rule, and is stale.
    assert.deepEqual(missingRules(c, "zz", "10.2.0.0/24", "iptables-nft"), [
      "iptables-nft FORWARD: accept rule for traffic from qvmzzh missing",
      "iptables-nft FORWARD: accept rule for replies to qvmzzh missing",
    ]);
    assert.deepEqual(
      staleRules(c, "zz", "10.2.0.0/24").map((r) => r.spec.join(" ")),
      ["-i qvmzzh -m comment --comment qvm:zz -j ACCEPT"],
    );
    assert.deepEqual(staleRules(c, "ab1", "10.1.0.0/24"), []);
    // The same network with another CIDR: its old accept is stale too.
    assert.equal(staleRules(c, "ab1", "10.9.0.0/24").length, 1);
    assert.equal(
      missingRules(parseChain("-P FORWARD ACCEPT"), "q", "10.3.0.0/24", "iptables-legacy").length,
      2,
    );
  });

  it("says why the chain matters: policy, Docker and ufw jumps, foreign rules", () => {
    assert.equal(
      describeChain(parseChain(LISTING)),
      "policy DROP, jumps to DOCKER-USER, DOCKER-FORWARD, ufw-before-logging-forward, ufw-before-forward, 7 foreign rule(s)",
    );
    assert.equal(describeChain(parseChain("-P FORWARD ACCEPT\n")), "policy ACCEPT, 0 foreign rule(s)");
  });

  it("tells the iptables backends apart by their --version line", () => {
    assert.equal(versionKind("iptables v1.8.9 (nf_tables)"), "nft");
    assert.equal(versionKind("iptables v1.8.9 (legacy)"), "legacy");
    assert.equal(versionKind("iptables v1.6.1"), "legacy");
    assert.equal(versionKind("something else"), undefined);
  });

  it("makes a network's changes one iptables-restore of the filter table, quoting as iptables does", () => {
    const [inSpec, outSpec] = forwardAcceptSpecs("ab1", "10.1.0.0/24");
    assert.equal(
      renderRestore([
        { op: "-D", spec: ["-i", "qvmab1h", "-m", "comment", "--comment", 'a "b" \\c', "-j", "ACCEPT"] },
        { op: "-A", spec: inSpec! },
        { op: "-A", spec: outSpec! },
      ]),
      [
        "*filter",
        '-D FORWARD -i qvmab1h -m comment --comment "a \\"b\\" \\\\c" -j ACCEPT',
        "-A FORWARD -s 10.1.0.0/24 -i qvmab1h -m comment --comment qvm:ab1 -j ACCEPT",
        "-A FORWARD -o qvmab1h -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment qvm:ab1 -j ACCEPT",
        "COMMIT",
        "",
      ].join("\n"),
    );
    // What iptables-restore reads back as tokens is what was meant.
    const line = renderRestore([{ op: "-D", spec: ["--comment", 'a "b" \\c'] }]).split("\n")[1]!;
    assert.deepEqual(tokenize(line), ["-D", "FORWARD", "--comment", 'a "b" \\c']);
  });

  it("changes only what is missing or stale: stale rules out first, then the missing ones", () => {
    const [inSpec, outSpec] = forwardAcceptSpecs("ab1", "10.1.0.0/24");
    // Both present (and a foreign rule naming qvm:ab1 in its comment is not ours to touch).
    assert.deepEqual(
      forwardAcceptChanges(parseChain(LISTING), "ab1", "10.1.0.0/24").filter((c) => c.op === "-A"),
      [],
    );
    assert.deepEqual(forwardAcceptChanges(parseChain(""), "ab1", "10.1.0.0/24"), [
      { op: "-A", spec: inSpec },
      { op: "-A", spec: outSpec },
    ]);
    // zz has a stale accept (no -s) and neither rule: the stale one goes first.
    const [zin, zout] = forwardAcceptSpecs("zz", "10.9.0.0/24");
    assert.deepEqual(forwardAcceptChanges(parseChain(LISTING), "zz", "10.9.0.0/24"), [
      { op: "-D", spec: ["-i", "qvmzzh", "-m", "comment", "--comment", "qvm:zz", "-j", "ACCEPT"] },
      { op: "-A", spec: zin },
      { op: "-A", spec: zout },
    ]);
  });
});
