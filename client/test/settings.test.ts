import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseInterpreter, installHint, needsRestart, serverCommand, toServerOptions }
  from "../src/settings";

test("the interpreter setting wins over everything", () => {
  assert.deepEqual(chooseInterpreter(" /venv/bin/python ", "/other/python", "linux"),
    { command: "/venv/bin/python", source: "setting" });
});

test("else the Python extension's environment, else python3 (python on Windows)", () => {
  assert.deepEqual(chooseInterpreter("", "/env/bin/python", "linux"),
    { command: "/env/bin/python", source: "python extension" });
  assert.deepEqual(chooseInterpreter(undefined, undefined, "linux"),
    { command: "python3", source: "PATH" });
  assert.equal(chooseInterpreter("   ", "", "win32").command, "python");
});

test("the server command runs the module and appends the extra arguments", () => {
  assert.deepEqual(serverCommand("/p/python", ["--log-level", "DEBUG"]),
    ["/p/python", "-m", "paramlens", "serve", "--log-level", "DEBUG"]);
});

test("only the server's own options, with the right types, reach it", () => {
  const settings: Record<string, unknown> = {
    hover: false, inlayHints: "yes", codeLens: true, maxParamsPerLayer: 1000,
    interpreter: "/p/python", serverArgs: ["-x"],
  };
  assert.deepEqual(toServerOptions((key) => settings[key]),
    { hover: false, codeLens: true, maxParamsPerLayer: 1000 });
  assert.deepEqual(toServerOptions((key) => (key === "maxParamsPerLayer" ? null : undefined)),
    { maxParamsPerLayer: null });
  assert.deepEqual(toServerOptions((key) => (key === "maxParamsPerLayer" ? -5 : undefined)), {});
});

test("a paramlens setting restarts the server; other settings do not", () => {
  const affected = (changed: string) => (section: string) =>
    changed === section || changed.startsWith(`${section}.`);
  assert.equal(needsRestart(affected("paramlens.interpreter")), true);
  assert.equal(needsRestart(affected("paramlens.hover")), true);
  assert.equal(needsRestart(affected("editor.fontSize")), false);
});

test("the install hint gives the exact pip command for that interpreter", () => {
  assert.equal(installHint("/venv/bin/python"),
    "paramlens is not installed for /venv/bin/python. Install it with: " +
    "/venv/bin/python -m pip install paramlens");
  assert.match(installHint("/My Envs/python"), /"\/My Envs\/python" -m pip install paramlens$/);
});
