// The client's own decisions, kept free of the vscode module so node's test runner can check
// them: which Python runs the server and which paramlens it runs, what the server is told, what
// a failed start tells the user.
import { join } from "path";

export interface InterpreterChoice {
  command: string;
  source: "setting" | "python extension" | "PATH";
}

/** The Pythons to try, in order: the setting alone when it is given (the user's explicit
 * choice is never swapped for another Python); else the Python extension's active environment,
 * then python3 and python on PATH. */
export function interpreterCandidates(setting: string | undefined,
                                      activeEnvironment: string | undefined,
                                      platform: string = process.platform): InterpreterChoice[] {
  if (setting && setting.trim()) {
    return [{ command: setting.trim(), source: "setting" }];
  }
  const found: InterpreterChoice[] = [];
  if (activeEnvironment && activeEnvironment.trim()) {
    found.push({ command: activeEnvironment.trim(), source: "python extension" });
  }
  const onPath = platform === "win32" ? ["python", "python3"] : ["python3", "python"];
  for (const command of onPath) {
    found.push({ command, source: "PATH" });
  }
  return found;
}

/** The first choice: what the setting or the Python extension gives, else python3. */
export function chooseInterpreter(setting: string | undefined, activeEnvironment: string | undefined,
                                  platform: string = process.platform): InterpreterChoice {
  return interpreterCandidates(setting, activeEnvironment, platform)[0];
}

export type ImportStrategy = "useBundled" | "fromEnvironment";

/** `useBundled` (the paramlens shipped in the extension) unless `fromEnvironment` is asked. */
export function importStrategy(value: unknown): ImportStrategy {
  return value === "fromEnvironment" ? "fromEnvironment" : "useBundled";
}

export const MIN_PYTHON: readonly [number, number] = [3, 10];

/** Run with `<python> -c PROBE`: the version on one line (in syntax any Python reads), then
 * whether this Python's environment has paramlens. */
export const PROBE = [
  "import sys",
  "sys.stdout.write('%d.%d.%d\\n' % tuple(sys.version_info[:3]))",
  "if sys.version_info >= (3, 10):",
  "    import importlib.util",
  "    sys.stdout.write('%s\\n' % (importlib.util.find_spec('paramlens') is not None))",
].join("\n");

export interface Probe {
  version: [number, number, number];
  hasParamlens: boolean;
}

export function parseProbe(out: string): Probe | undefined {
  const [first, second] = out.trim().split(/\r?\n/);
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec((first ?? "").trim());
  if (!match) {
    return undefined;
  }
  return { version: [Number(match[1]), Number(match[2]), Number(match[3])],
    hasParamlens: (second ?? "").trim() === "True" };
}

export function supported(version: readonly number[]): boolean {
  return version[0] > MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1] >= MIN_PYTHON[1]);
}

export type Resolution =
  | { ok: true; python: string; source: InterpreterChoice["source"]; version: string }
  | { ok: false; message: string; openSetting: string };

/** Finds the Python that runs the server: the first candidate that runs and is 3.10 or later
 * (a set interpreter is the only candidate). `probe` runs PROBE with one candidate; it gives
 * an Error when the command cannot be run at all. */
export async function resolveInterpreter(candidates: readonly InterpreterChoice[],
                                         strategy: ImportStrategy,
                                         probe: (command: string) => Promise<Probe | Error>,
                                         log: (line: string) => void = () => {}): Promise<Resolution> {
  const tooOld: string[] = [];
  for (const candidate of candidates) {
    const found = await probe(candidate.command);
    if (found instanceof Error) {
      log(`${candidate.command} (from ${candidate.source}) does not run: ${found.message}`);
      if (candidate.source === "setting") {
        return { ok: false, message: brokenSettingMessage(candidate.command, found.message),
          openSetting: "paramlens.interpreter" };
      }
      continue;
    }
    const version = found.version.join(".");
    if (!supported(found.version)) {
      log(`${candidate.command} (from ${candidate.source}) is Python ${version}: too old`);
      if (candidate.source === "setting") {
        return { ok: false, message: tooOldMessage([`${candidate.command} is ${version}`]),
          openSetting: "paramlens.interpreter" };
      }
      tooOld.push(`${candidate.command} is ${version}`);
      continue;
    }
    if (strategy === "fromEnvironment" && !found.hasParamlens) {
      return { ok: false, message: installHint(candidate.command), openSetting: "paramlens.importStrategy" };
    }
    return { ok: true, python: candidate.command, source: candidate.source, version };
  }
  if (tooOld.length) {
    return { ok: false, message: tooOldMessage(tooOld), openSetting: "paramlens.interpreter" };
  }
  return { ok: false, message: noPythonMessage(), openSetting: "paramlens.interpreter" };
}

/** The server's command line. useBundled: the extension's own copy (bundled/tool/lsp_server.py
 * puts bundled/libs first on sys.path); fromEnvironment: the interpreter's paramlens. */
export function serverCommand(python: string, strategy: ImportStrategy, extensionPath: string,
                              extraArgs: readonly string[] = []): string[] {
  return strategy === "useBundled"
    ? [python, join(extensionPath, "bundled", "tool", "lsp_server.py"), ...extraArgs]
    : [python, "-m", "paramlens", "serve", ...extraArgs];
}

/** `paramlens check FILE` from the same paramlens as the server. */
export function checkCommand(python: string, strategy: ImportStrategy, extensionPath: string,
                             file: string): string[] {
  return strategy === "useBundled"
    ? [python, join(extensionPath, "bundled", "tool", "paramlens_cli.py"), "check", file]
    : [python, "-m", "paramlens", "check", file];
}

/** The `paramlens` section as the server reads it (initializationOptions and
 * didChangeConfiguration): only the keys it knows, only values of the right type. */
export interface ServerOptions {
  hover?: boolean;
  inlayHints?: boolean;
  codeLens?: boolean;
  diagnostics?: boolean;
  maxParamsPerLayer?: number | null;
  debounceMs?: number;
}

const BOOLEAN_KEYS = ["hover", "inlayHints", "codeLens", "diagnostics"] as const;

export function toServerOptions(get: (key: string) => unknown): ServerOptions {
  const options: ServerOptions = {};
  for (const key of BOOLEAN_KEYS) {
    const value = get(key);
    if (typeof value === "boolean") {
      options[key] = value;
    }
  }
  const budget = get("maxParamsPerLayer");
  if (budget === null || (typeof budget === "number" && Number.isInteger(budget) && budget >= 0)) {
    options.maxParamsPerLayer = budget;
  }
  const debounce = get("debounceMs");
  if (typeof debounce === "number" && Number.isInteger(debounce) && debounce >= 0) {
    options.debounceMs = debounce;
  }
  return options;
}

/** The pause after typing before diagnostics (on the server) and the status bar (here) are
 * brought up to date: one setting for both. */
export function debounceMs(get: (key: string) => unknown): number {
  return toServerOptions(get).debounceMs ?? 250;
}

/** Any paramlens setting restarts the server: the interpreter, the import strategy and the
 * arguments need a new process, and the others reach the server as its initializationOptions. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects("paramlens");
}

export function installHint(python: string): string {
  return `paramlens is not installed for ${python}. Install it with: ` +
    `${quoteIfNeeded(python)} -m pip install paramlens ` +
    "(or set paramlens.importStrategy to useBundled to run the paramlens bundled with the extension)";
}

export function noPythonMessage(): string {
  return "paramlens needs Python 3.10 or later to run its server, and found none (no " +
    "paramlens.interpreter setting, no environment from the Python extension, no python3 or " +
    "python on PATH). Install Python 3.10 or later (https://www.python.org/downloads/, or " +
    "your system's package, e.g. sudo apt install python3), then run 'paramlens: Restart the " +
    "server', or set paramlens.interpreter to its path.";
}

export function tooOldMessage(found: readonly string[]): string {
  return `paramlens needs Python 3.10 or later to run its server; ${found.join(", ")}. ` +
    "Install Python 3.10 or later, or set paramlens.interpreter to one.";
}

export function brokenSettingMessage(python: string, error: string): string {
  return `paramlens.interpreter is ${python}, which does not run (${error}). Set it to a ` +
    "Python 3.10 or later, or clear it to use the Python extension's environment or python3 " +
    "on PATH.";
}

function quoteIfNeeded(text: string): string {
  return /\s/.test(text) ? `"${text}"` : text;
}
