// The user's path, end to end: the real Pulumi CLI runs examples/network through our provider and
// a real qvmd; a "guest" namespace with a real DHCP client checks what `pulumi up` built.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { openStack, outputsJson } from "../helpers/workspace";
import { TestAgent } from "../helpers/agent";
import { Guest, OutsideHost } from "../helpers/hosts";
import { useLeakCheck } from "../helpers/leaks";

useLeakCheck();

const MAC = "52:54:00:e2:00:10";

describe("examples/network with the Pulumi CLI", function () {
  this.timeout(300000);
  const agent = new TestAgent();
  const outside = new OutsideHost();
  const guest = new Guest("qvxe1", MAC);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-e2e-"));
  let stack: Stack;
  let outputs: Record<string, unknown>;

  const setReservations = (ip: string) =>
    stack.setConfig("reservations", { value: JSON.stringify([{ mac: MAC, ip, hostname: "web" }]) });

  before(async () => {
    await agent.start();
    await outside.start();
    stack = await openStack({
      example: "network",
      stackName: "e2e",
      stateDir,
      env: { QVMD_SOCKET: agent.socket },
    });
    await stack.setConfig("cidr", { value: "10.241.0.0/24" });
    await setReservations("10.241.0.10");
  });

  after(async () => {
    await guest.destroy();
    if (stack) await stack.destroy().catch((e: unknown) => console.error("destroy in after():", e));
    await outside.stop();
    await agent.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("pulumi up creates a working network: reserved lease, gateway, masqueraded egress", async () => {
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    outputs = await outputsJson(stack);
    assert.equal(outputs.gateway, "10.241.0.1");
    assert.match(String(outputs.namespace), /^qvm-[0-9a-f]{8}$/);
    await guest.plug(String(outputs.namespace), String(outputs.bridge));
    assert.equal((await guest.dhcp()).ip, "10.241.0.10");
    assert.ok(await guest.ping("10.241.0.1"));
    assert.equal(await outside.seenFrom(guest.name), outside.hostSide);
  });

  it("a second preview and a refresh show no changes", async () => {
    const preview = await stack.preview();
    assert.deepEqual(
      Object.keys(preview.changeSummary).sort(),
      ["same"],
      JSON.stringify(preview.changeSummary),
    );
    const refresh = await stack.refresh();
    const changes = refresh.summary.resourceChanges ?? {};
    assert.deepEqual(Object.keys(changes).sort(), ["same"], JSON.stringify(changes));
  });

  it("changing reservations is an in-place update and the new lease is served", async () => {
    await setReservations("10.241.0.20");
    const preview = await stack.preview();
    assert.equal(preview.changeSummary.update, 1, JSON.stringify(preview.changeSummary));
    assert.equal(preview.changeSummary.replace, undefined);
    const up = await stack.up();
    assert.deepEqual(up.summary.resourceChanges, { same: 1, update: 1 });
    assert.equal((await outputsJson(stack)).namespace, outputs.namespace, "same network, not a new one");
    await guest.exec("ip", "addr", "flush", "dev", `${guest.name}g`);
    assert.equal((await guest.dhcp()).ip, "10.241.0.20");
  });

  it("killing and restarting qvmd keeps the network, its lease and a clean refresh", async () => {
    await agent.kill("SIGKILL");
    assert.ok(await guest.ping("10.241.0.1"), "works while qvmd is down");
    await agent.start();
    assert.ok(await guest.ping("10.241.0.1"));
    const leases = fs.readFileSync(
      path.join(agent.stateDir, "networks", String(outputs.name), "leases"),
      "utf8",
    );
    assert.match(leases, /10\.241\.0\.20/);
    const refresh = await stack.refresh();
    assert.deepEqual(Object.keys(refresh.summary.resourceChanges ?? {}), ["same"]);
  });

  it("pulumi destroy removes the network from the host", async () => {
    await guest.destroy();
    const d = await stack.destroy();
    assert.equal(d.summary.result, "succeeded");
    assert.deepEqual((await agent.client!.listNetworks()).networks, []);
    assert.ok(!fs.existsSync(`/run/netns/${String(outputs.namespace)}`));
  });
});

describe("bad inputs fail `pulumi up` in check, naming the property", function () {
  this.timeout(300000);
  const agent = new TestAgent();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-e2e-"));
  before(() => agent.start());
  after(async () => {
    await agent.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("reports every bad property of a Network, and creates nothing", async () => {
    const stack = await openStack({
      example: "network",
      stackName: "bad",
      stateDir,
      env: { QVMD_SOCKET: agent.socket },
    });
    await stack.setConfig("cidr", { value: "8.8.8.0/24" });
    await stack.setConfig("name", { value: "waytoolongname" });
    const err = await stack.up().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.ok(err, "up must fail");
    assert.match(err.message, /name.*too long/);
    await stack.setConfig("name", { value: "okname" });
    const err2 = await stack.up().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.match(String(err2?.message), /cidr.*not inside a private range/);
    assert.deepEqual((await agent.client!.listNetworks()).networks, []);
  });

  it("refuses a bridge qvmd would create without its prefix, naming the property", async () => {
    const program = async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const qemu = require("pulumi-qemu") as typeof import("pulumi-qemu");
      new qemu.Bridge("br", { name: "br0" });
    };
    const stack = await openStack({
      example: "network",
      stackName: "notyet",
      stateDir,
      env: { QVMD_SOCKET: agent.socket },
      program,
    });
    const err = await stack.up().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.match(String(err?.message), /BAD_NAME \(property name\).*must be named qv/);
  });
});

describe("import adopts a network that qvmd already has", function () {
  this.timeout(300000);
  const agent = new TestAgent();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-e2e-"));
  before(() => agent.start());
  after(async () => {
    await agent.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("reads the network from the agent without a diff, manages it, and destroys it", async () => {
    await agent.client!.applyNetwork({
      id: "qxi",
      cidr: "10.243.0.0/24",
      nat: true,
      dhcp: { enabled: true },
      mtu: 1500,
    });
    // `pulumi import` needs the nodejs language host; the `import` resource option does not.
    const program = async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const qemu = require("pulumi-qemu") as typeof import("pulumi-qemu");
      const net = new qemu.Network("adopted", { name: "qxi", cidr: "10.243.0.0/24" }, { import: "qxi" });
      return { namespace: net.namespace };
    };
    const stack = await openStack({
      example: "network",
      stackName: "import",
      stateDir,
      env: { QVMD_SOCKET: agent.socket },
      program,
    });
    const up = await stack.up();
    assert.equal(up.summary.resourceChanges?.import, 1, JSON.stringify(up.summary.resourceChanges));
    assert.equal((await outputsJson(stack)).namespace, "qvm-qxi");
    const preview = await stack.preview();
    assert.deepEqual(Object.keys(preview.changeSummary).sort(), ["same"]);
    await stack.destroy();
    assert.deepEqual((await agent.client!.listNetworks()).networks, []);
  });
});
