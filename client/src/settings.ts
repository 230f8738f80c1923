// The client's own decisions, kept free of the vscode module so node's test runner can check
// them: which Python runs the server, what the server is told, what a failed start tells the user.

export interface InterpreterChoice {
  command: string;
  source: "setting" | "python extension" | "PATH";
}

/** The setting if given, else the Python extension's active environment, else python3. */
export function chooseInterpreter(setting: string | undefined,
                                  activeEnvironment: string | undefined,
                                  platform: string = process.platform): InterpreterChoice {
  if (setting && setting.trim()) {
    return { command: setting.trim(), source: "setting" };
  }
  if (activeEnvironment && activeEnvironment.trim()) {
    return { command: activeEnvironment.trim(), source: "python extension" };
  }
  return { command: platform === "win32" ? "python" : "python3", source: "PATH" };
}

export function serverCommand(python: string, extraArgs: readonly string[] = []): string[] {
  return [python, "-m", "paramlens", "serve", ...extraArgs];
}

/** The `paramlens` section as the server reads it (initializationOptions and
 * didChangeConfiguration): only the keys it knows, only values of the right type. */
export interface ServerOptions {
  hover?: boolean;
  inlayHints?: boolean;
  codeLens?: boolean;
  diagnostics?: boolean;
  maxParamsPerLayer?: number | null;
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
  return options;
}

/** Any paramlens setting restarts the server: the interpreter and its arguments need a new
 * process, and the others reach the server as its initializationOptions. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects("paramlens");
}

export function installHint(python: string): string {
  return `paramlens is not installed for ${python}. Install it with: ` +
    `${quoteIfNeeded(python)} -m pip install paramlens`;
}

function quoteIfNeeded(text: string): string {
  return /\s/.test(text) ? `"${text}"` : text;
}
