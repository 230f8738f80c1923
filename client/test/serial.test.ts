import assert from "node:assert/strict";
import { test } from "node:test";
import { Debouncer, Serial } from "../src/serial";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stand-in for the language client: starting and stopping take time, as a process does. */
class Servers {
  live = 0;
  most = 0;
  started = 0;
  async start(): Promise<void> {
    await pause(15);
    this.live += 1;
    this.started += 1;
    this.most = Math.max(this.most, this.live);
  }
  async stop(): Promise<void> {
    if (this.live) {
      await pause(10);
      this.live -= 1;
    }
  }
}

test("settings changes in quick succession never leave two servers running", async () => {
  const servers = new Servers();
  const serial = new Serial();
  const restart = () => serial.run("restart", async () => {
    await servers.stop();
    await servers.start();
  });
  await restart();
  // a burst: five changes at once, then two more while the restart they caused is running
  const burst = [1, 2, 3, 4, 5].map(() => restart());
  await pause(5);
  burst.push(restart(), restart());
  await Promise.all(burst);
  assert.equal(servers.live, 1);
  assert.equal(servers.most, 1);
  assert.equal(servers.started, 3);  // the first, the burst's one, and one after it: not eight
});

test("a stop is never folded into a restart, and runs after it", async () => {
  const servers = new Servers();
  const serial = new Serial();
  const order: string[] = [];
  void serial.run("restart", async () => { await servers.stop(); await servers.start(); order.push("restart"); });
  const stopped = serial.run("stop", async () => { await servers.stop(); order.push("stop"); });
  await stopped;
  assert.deepEqual(order, ["restart", "stop"]);
  assert.equal(servers.live, 0);
});

test("a failed restart does not block the next one", async () => {
  const serial = new Serial();
  await assert.rejects(serial.run("restart", async () => { throw new Error("no Python"); }));
  let ran = false;
  await serial.run("restart", async () => { ran = true; });
  assert.equal(ran, true);
});

test("the summary is asked for once typing pauses, not on every keystroke", async () => {
  let calls = 0;
  const debouncer = new Debouncer(() => { calls += 1; }, () => 40);
  for (let key = 0; key < 10; key++) {
    debouncer.schedule();
    await pause(5);
  }
  assert.equal(calls, 0);
  await pause(80);
  assert.equal(calls, 1);
  debouncer.schedule();
  debouncer.now();
  await pause(80);
  assert.equal(calls, 2);  // now() replaces the pending call
});
