// Starts the paramlens language server for Python files and keeps it in step with the settings.
// By default the server is the copy bundled in the extension (bundled/libs), run by any Python
// 3.10 or later; the decisions live in settings.ts, serial.ts and status.ts; this file is the
// glue to VS Code.
import { execFile } from "child_process";
import { basename, dirname, relative } from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, State, TransportKind } from "vscode-languageclient/node";
import { Debouncer, Serial } from "./serial";
import {
  checkCommand, debounceMs, ImportStrategy, importStrategy, interpreterCandidates, needsRestart,
  parseProbe, Probe, PROBE, resolveInterpreter, serverCommand, toServerOptions,
} from "./settings";
import { showModelSummary, summaryReady } from "./panel";
import { PanelAnswer } from "./panelHtml";
import { modelAt, Summary } from "./status";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let python: string | undefined;
let strategy: ImportStrategy = "useBundled";
let extensionPath = "";
const serial = new Serial();  // starts, stops and restarts, one at a time
let summary: { uri: string; summary: Summary } | undefined;
const summaryUpdate = new Debouncer(() => void fetchSummary(),
  () => debounceMs((key) => vscode.workspace.getConfiguration("paramlens").get(key)));

async function activeEnvironment(resource?: vscode.Uri): Promise<string | undefined> {
  // The Python extension is optional: use its API when it is there, never require it.
  const extension = vscode.extensions.getExtension("ms-python.python");
  if (!extension) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const environments = api?.environments;
    const active = environments?.getActiveEnvironmentPath(resource);
    if (!active) {
      return undefined;
    }
    const resolved = await environments.resolveEnvironment(active);
    return resolved?.executable?.uri?.fsPath ?? active.path;
  } catch (error) {
    output.appendLine(`The Python extension did not say its environment: ${error}`);
    return undefined;
  }
}

function run(command: string, args: string[], cwd?: string
): Promise<{ code: number; out: string; err: string; spawned: boolean }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 60000, maxBuffer: 32 * 1024 * 1024, cwd }, (error, out, err) => {
      const code = error ? (typeof error.code === "number" ? error.code : 127) : 0;
      // a string code (ENOENT, EACCES) means the command itself could not be started
      const spawned = !(error && typeof error.code === "string");
      resolve({ code, out: String(out), err: String(err || (error ? error.message : "")), spawned });
    });
  });
}

async function probe(command: string): Promise<Probe | Error> {
  const result = await run(command, ["-c", PROBE]);
  const found = parseProbe(result.out);
  if (found) {
    return found;
  }
  return new Error(result.spawned ? (result.err.trim().split("\n").pop() || `exit code ${result.code}`)
    : result.err.trim());
}

function fail(message: string, setting: string): void {
  output.error(message);
  status.text = "$(warning) paramlens";
  status.tooltip = message;
  status.show();
  void vscode.window.showErrorMessage(message, "Open settings").then((picked) => {
    if (picked) {
      void vscode.commands.executeCommand("workbench.action.openSettings", setting);
    }
  });
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("paramlens");
  strategy = importStrategy(config.get("importStrategy"));
  const candidates = interpreterCandidates(config.get<string>("interpreter"), await activeEnvironment());
  const found = await resolveInterpreter(candidates, strategy, probe, (line) => output.appendLine(line));
  if (!found.ok) {
    python = undefined;
    fail(found.message, found.openSetting);
    return;
  }
  python = found.python;
  const [command, ...args] = serverCommand(python, strategy, extensionPath, config.get<string[]>("serverArgs") ?? []);
  output.appendLine(`Python for the server: ${python} ${found.version} (from ${found.source}); ` +
    `paramlens: ${strategy === "useBundled" ? "bundled with the extension" : "the environment's"}`);
  output.appendLine(`Server: ${[command, ...args].join(" ")}`);
  const clientOptions: LanguageClientOptions = {
    // notebook cells are synced as their notebook (the server's notebookDocumentSync)
    documentSelector: [{ language: "python" }, { notebook: "jupyter-notebook", language: "python" }],
    outputChannel: output,
    initializationOptions: toServerOptions((key) => config.get(key)),
    middleware: {
      // The server's model lenses carry no command (other editors show them as text): here a
      // click on one opens that model's summary panel.
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        for (const lens of lenses ?? []) {
          if (lens.command && !lens.command.command) {
            lens.command = { title: lens.command.title, command: "paramlens.showModelSummary",
              arguments: [document.uri.toString(), lens.range.start] };
          }
        }
        return lenses;
      },
    },
  };
  const created = new LanguageClient("paramlens", "paramlens",
    { command, args, transport: TransportKind.stdio }, clientOptions);
  client = created;
  // a summary the server could not give yet ("not analysed yet"): it says when to ask again
  created.onNotification("paramlens/modelSummaryReady", (params: { uri?: unknown }) => {
    if (typeof params?.uri === "string") {
      void summaryReady(params.uri);
    }
  });
  created.onDidChangeState((event) => {
    if (event.newState === State.Stopped && client === created) {
      status.text = "$(warning) paramlens stopped";
    }
  });
  try {
    await created.start();
    summaryUpdate.now();
  } catch (error) {
    output.appendLine(`The server did not start: ${error}`);
    void vscode.window.showErrorMessage(`paramlens: the server did not start (${python}); ` +
      "the paramlens output has the log.");
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  summary = undefined;
  summaryUpdate.cancel();
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      output.appendLine(`Stopping the server: ${error}`);
    }
    try {
      await running.dispose();
    } catch {
      // stopped already
    }
  }
}

/** Stops the server (waiting until its process is gone) and starts a new one; restarts asked
 * for meanwhile are folded into one. */
function restart(): Promise<void> {
  return serial.run("restart", async () => {
    await stop();
    await start();
  });
}

async function fetchSummary(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const current = client;
  if (!current || !current.isRunning() || !editor || editor.document.languageId !== "python") {
    status.hide();
    return;
  }
  const uri = editor.document.uri.toString();
  try {
    const found = await current.sendRequest<Summary | null>("paramlens/fileSummary", { uri });
    if (current !== client) {
      return;  // restarted meanwhile
    }
    summary = found ? { uri, summary: found } : undefined;
    render();
  } catch (error) {
    output.appendLine(`Status bar: ${error}`);
  }
}

/** The status bar from the last summary: the model at the cursor, else the file's largest. */
function render(): void {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor || !summary || summary.uri !== editor.document.uri.toString()) {
    status.hide();
    return;
  }
  const shown = modelAt(summary.summary, editor.selection.active.line);
  if (!shown) {
    status.hide();
    return;
  }
  status.text = `$(symbol-numeric) ${shown}`;
  status.tooltip = [...summary.summary.models, "Click: paramlens check this file"].join("\n");
  status.show();
}

async function askModelSummary(uri: string, position: vscode.Position): Promise<PanelAnswer | null> {
  const current = client;
  if (!current || !current.isRunning()) {
    throw new Error("the paramlens server is not running");
  }
  return current.sendRequest<PanelAnswer | null>("paramlens/modelSummary",
    { textDocument: { uri }, position: { line: position.line, character: position.character } });
}

/** `paramlens check`'s tables, by the read-only documents that show them. */
const CHECK_SCHEME = "paramlens-check";
const tables = new Map<string, string>();
const tablesChanged = new vscode.EventEmitter<vscode.Uri>();

async function checkFile(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.scheme === CHECK_SCHEME) {
    return;
  }
  if (!python) {
    void restart();
    return;
  }
  const file = editor.document.uri.fsPath;
  // run from the workspace folder, so that the table names the file as the explorer does
  const folder = vscode.workspace.getWorkspaceFolder(editor.document.uri)?.uri.fsPath ?? dirname(file);
  const shown = relative(folder, file);
  const [command, ...args] = checkCommand(python, strategy, extensionPath, shown);
  output.appendLine(`$ cd ${folder} && ${[command, ...args].join(" ")}`);
  const result = await run(command, args, folder);
  // A tab of its own, read-only and not wrapped: the table is wider than the output panel.
  const uri = vscode.Uri.from({ scheme: CHECK_SCHEME, path: `/${basename(file)} (paramlens check).txt`,
    query: encodeURIComponent(file) });
  tables.set(uri.toString(), `$ paramlens check ${shown}\n\n${result.out}${result.err}`);
  tablesChanged.fire(uri);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: false });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel("paramlens", { log: true });
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.name = "paramlens";
  status.command = "paramlens.checkFile";
  context.subscriptions.push(output, status, tablesChanged, { dispose: () => summaryUpdate.cancel() },
    vscode.workspace.registerTextDocumentContentProvider(CHECK_SCHEME, {
      onDidChange: tablesChanged.event,
      provideTextDocumentContent: (uri) => tables.get(uri.toString()) ?? "",
    }),
    vscode.commands.registerCommand("paramlens.restart", () => restart()),
    vscode.commands.registerCommand("paramlens.checkFile", checkFile),
    vscode.commands.registerCommand("paramlens.showModelSummary",
      (uri?: string, position?: vscode.Position) => showModelSummary(askModelSummary, uri, position)),
    vscode.window.onDidChangeActiveTextEditor(() => {
      render();
      summaryUpdate.now();
    }),
    vscode.window.onDidChangeTextEditorSelection((event) => {
      if (event.textEditor === vscode.window.activeTextEditor) {
        render();  // the model at the cursor, from the summary already there: no request
      }
    }),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document === vscode.window.activeTextEditor?.document && event.contentChanges.length) {
        summaryUpdate.schedule();  // as the server's diagnostics: once typing pauses
      }
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (needsRestart((section) => event.affectsConfiguration(section))) {
        void restart();
      }
    }));
  const pythonExtension = vscode.extensions.getExtension("ms-python.python");
  if (pythonExtension) {
    try {
      const api = pythonExtension.isActive ? pythonExtension.exports : await pythonExtension.activate();
      const event = api?.environments?.onDidChangeActiveEnvironmentPath;
      if (event) {
        context.subscriptions.push(event(() => {
          if (!vscode.workspace.getConfiguration("paramlens").get<string>("interpreter")) {
            void restart();
          }
        }));
      }
    } catch (error) {
      output.appendLine(`The Python extension: ${error}`);
    }
  }
  await restart();
}

export function deactivate(): Promise<void> {
  return serial.run("stop", stop);
}
