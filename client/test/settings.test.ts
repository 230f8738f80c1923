import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkCommand, chooseInterpreter, debounceMs, importStrategy, installHint, interpreterCandidates,
  needsRestart, noPythonMessage, parseProbe, Probe, resolveInterpreter, serverCommand,
  toServerOptions,
} from "../src/settings";

test("the interpreter setting wins over everything, and is the only one tried", () => {
  assert.deepEqual(chooseInterpreter(" /venv/bin/python ", "/other/python", "linux"),
    { command: "/venv/bin/python", source: "setting" });
  assert.deepEqual(interpreterCandidates("/venv/bin/python", "/other/python", "linux"),
    [{ command: "/venv/bin/python", source: "setting" }]);
});

test("else the Python extension's environment, then python3 and python on PATH", () => {
  assert.deepEqual(interpreterCandidates("", "/env/bin/python", "linux").map((c) => c.command),
    ["/env/bin/python", "python3", "python"]);
  assert.deepEqual(interpreterCandidates(undefined, undefined, "linux"),
    [{ command: "python3", source: "PATH" }, { command: "python", source: "PATH" }]);
  assert.equal(chooseInterpreter("   ", "", "win32").command, "python");
});

test("importStrategy: useBundled unless fromEnvironment is asked", () => {
  assert.equal(importStrategy(undefined), "useBundled");
  assert.equal(importStrategy("nonsense"), "useBundled");
  assert.equal(importStrategy("fromEnvironment"), "fromEnvironment");
});

test("the bundled server runs from the extension; fromEnvironment runs the environment's module", () => {
  assert.deepEqual(serverCommand("/p/python", "useBundled", "/ext", ["--log-level", "DEBUG"]),
    ["/p/python", "/ext/bundled/tool/lsp_server.py", "--log-level", "DEBUG"]);
  assert.deepEqual(serverCommand("/p/python", "fromEnvironment", "/ext", ["--log-level", "DEBUG"]),
    ["/p/python", "-m", "paramlens", "serve", "--log-level", "DEBUG"]);
  assert.deepEqual(checkCommand("/p/python", "useBundled", "/ext", "/w/a.py"),
    ["/p/python", "/ext/bundled/tool/paramlens_cli.py", "check", "/w/a.py"]);
  assert.deepEqual(checkCommand("/p/python", "fromEnvironment", "/ext", "/w/a.py"),
    ["/p/python", "-m", "paramlens", "check", "/w/a.py"]);
});

test("the probe's output: the version, then whether paramlens is there", () => {
  assert.deepEqual(parseProbe("3.11.7\nFalse\n"), { version: [3, 11, 7], hasParamlens: false });
  assert.deepEqual(parseProbe("3.12.1\r\nTrue\r\n"), { version: [3, 12, 1], hasParamlens: true });
  assert.deepEqual(parseProbe("2.7.18\n"), { version: [2, 7, 18], hasParamlens: false });
  assert.equal(parseProbe(""), undefined);
});

const pythons: Record<string, Probe | Error> = {
  "/old/python": { version: [3, 8, 18], hasParamlens: true },
  python3: { version: [3, 11, 7], hasParamlens: false },
  "/with/paramlens": { version: [3, 12, 1], hasParamlens: true },
};
const probe = async (command: string) => pythons[command] ?? new Error(`spawn ${command} ENOENT`);

test("the first Python 3.10+ that runs is taken; an old one is passed over", async () => {
  const found = await resolveInterpreter(interpreterCandidates("", "/old/python", "linux"), "useBundled", probe);
  assert.deepEqual(found, { ok: true, python: "python3", source: "PATH", version: "3.11.7" });
});

test("a set interpreter that does not run, or is too old, is said so, not replaced", async () => {
  const missing = await resolveInterpreter(interpreterCandidates("/nope/python", undefined), "useBundled", probe);
  assert.equal(missing.ok, false);
  assert.match(!missing.ok ? missing.message : "", /paramlens\.interpreter is \/nope\/python, which does not run \(spawn \/nope\/python ENOENT\)/);
  const old = await resolveInterpreter(interpreterCandidates("/old/python", undefined), "useBundled", probe);
  assert.match(!old.ok ? old.message : "", /needs Python 3\.10 or later.*\/old\/python is 3\.8\.18/);
});

test("no Python at all: one message saying what to install", async () => {
  const none = await resolveInterpreter(interpreterCandidates("", undefined, "linux"), "useBundled",
    async (command) => new Error(`spawn ${command} ENOENT`));
  assert.deepEqual(none, { ok: false, message: noPythonMessage(), openSetting: "paramlens.interpreter" });
  assert.match(noPythonMessage(), /Install Python 3\.10 or later/);
  const onlyOld = await resolveInterpreter(interpreterCandidates("", "/old/python", "linux"), "useBundled",
    async (command) => (command === "/old/python" ? pythons[command] : new Error("ENOENT")));
  assert.match(!onlyOld.ok ? onlyOld.message : "", /\/old\/python is 3\.8\.18/);
});

test("fromEnvironment needs paramlens in that environment, and says how to install it", async () => {
  const lacking = await resolveInterpreter(interpreterCandidates("", undefined, "linux"), "fromEnvironment", probe);
  assert.deepEqual(lacking, { ok: false, message: installHint("python3"), openSetting: "paramlens.importStrategy" });
  const having = await resolveInterpreter(interpreterCandidates("/with/paramlens", undefined), "fromEnvironment", probe);
  assert.equal(having.ok, true);
});

test("only the server's own options, with the right types, reach it", () => {
  const settings: Record<string, unknown> = {
    hover: false, inlayHints: "yes", codeLens: true, maxParamsPerLayer: 1000,
    interpreter: "/p/python", serverArgs: ["-x"], importStrategy: "useBundled", debounceMs: 400,
  };
  assert.deepEqual(toServerOptions((key) => settings[key]),
    { hover: false, codeLens: true, maxParamsPerLayer: 1000, debounceMs: 400 });
  assert.deepEqual(toServerOptions((key) => (key === "maxParamsPerLayer" ? null : undefined)),
    { maxParamsPerLayer: null });
  assert.deepEqual(toServerOptions((key) => (key === "maxParamsPerLayer" ? -5 : undefined)), {});
  assert.equal(debounceMs((key) => settings[key]), 400);
  assert.equal(debounceMs(() => undefined), 250);
});

test("a paramlens setting restarts the server; other settings do not", () => {
  const affected = (changed: string) => (section: string) =>
    changed === section || changed.startsWith(`${section}.`);
  assert.equal(needsRestart(affected("paramlens.interpreter")), true);
  assert.equal(needsRestart(affected("paramlens.importStrategy")), true);
  assert.equal(needsRestart(affected("editor.fontSize")), false);
});

test("the install hint gives the exact pip command for that interpreter", () => {
  assert.match(installHint("/venv/bin/python"),
    /^paramlens is not installed for \/venv\/bin\/python\. Install it with: \/venv\/bin\/python -m pip install paramlens /);
  assert.match(installHint("/My Envs/python"), /"\/My Envs\/python" -m pip install paramlens/);
});
