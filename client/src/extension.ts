// Starts `<python> -m paramlens serve` for Python files and keeps it in step with the settings.
// The decisions live in settings.ts; this file is the glue to VS Code.
import { execFile } from "child_process";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, State, TransportKind } from "vscode-languageclient/node";
import { chooseInterpreter, installHint, needsRestart, serverCommand, toServerOptions } from "./settings";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let python = "python3";

interface Summary { text: string; models: string[] }

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

function run(command: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 60000, maxBuffer: 32 * 1024 * 1024 }, (error, out, err) => {
      const code = error ? (typeof error.code === "number" ? error.code : 127) : 0;
      resolve({ code, out: String(out), err: String(err || (error ? error.message : "")) });
    });
  });
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("paramlens");
  const choice = chooseInterpreter(config.get<string>("interpreter"), await activeEnvironment());
  python = choice.command;
  output.appendLine(`Python for the server: ${python} (from ${choice.source})`);
  const probe = await run(python, ["-c", "import paramlens"]);
  if (probe.code !== 0) {
    const hint = installHint(python);
    output.appendLine(hint);
    output.appendLine(probe.err.trim());
    status.text = "$(warning) paramlens not installed";
    status.tooltip = hint;
    status.show();
    void vscode.window.showErrorMessage(hint, "Open settings").then((picked) => {
      if (picked) {
        void vscode.commands.executeCommand("workbench.action.openSettings", "paramlens.interpreter");
      }
    });
    return;
  }
  const [command, ...args] = serverCommand(python, config.get<string[]>("serverArgs") ?? []);
  const clientOptions: LanguageClientOptions = {
    // notebook cells are synced as their notebook (the server's notebookDocumentSync)
    documentSelector: [{ language: "python" }, { notebook: "jupyter-notebook", language: "python" }],
    outputChannel: output,
    initializationOptions: toServerOptions((key) => config.get(key)),
  };
  client = new LanguageClient("paramlens", "paramlens",
    { command, args, transport: TransportKind.stdio }, clientOptions);
  client.onDidChangeState((event) => {
    if (event.newState === State.Stopped) {
      status.text = "$(warning) paramlens stopped";
    }
  });
  try {
    await client.start();
    await updateStatus();
  } catch (error) {
    output.appendLine(`The server did not start: ${error}`);
    void vscode.window.showErrorMessage(`paramlens: the server did not start (${python}); ` +
      "the paramlens output has the log.");
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      output.appendLine(`Stopping the server: ${error}`);
    }
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

async function updateStatus(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor || editor.document.languageId !== "python") {
    status.hide();
    return;
  }
  try {
    const summary = await client.sendRequest<Summary | null>("paramlens/fileSummary",
      { uri: editor.document.uri.toString() });
    if (!summary) {
      status.hide();
      return;
    }
    status.text = `$(symbol-numeric) ${summary.text}`;
    status.tooltip = [...summary.models, "Click: paramlens check this file"].join("\n");
    status.show();
  } catch (error) {
    output.appendLine(`Status bar: ${error}`);
  }
}

async function checkFile(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    return;
  }
  output.show(true);
  output.appendLine(`$ ${python} -m paramlens check ${editor.document.uri.fsPath}`);
  const result = await run(python, ["-m", "paramlens", "check", editor.document.uri.fsPath]);
  output.appendLine(result.out + result.err);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("paramlens", { log: true });
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.name = "paramlens";
  status.command = "paramlens.checkFile";
  context.subscriptions.push(output, status,
    vscode.commands.registerCommand("paramlens.restart", () => restart(context)),
    vscode.commands.registerCommand("paramlens.checkFile", checkFile),
    vscode.window.onDidChangeActiveTextEditor(() => updateStatus()),
    vscode.workspace.onDidSaveTextDocument(() => updateStatus()),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document === vscode.window.activeTextEditor?.document) {
        void updateStatus();
      }
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (needsRestart((section) => event.affectsConfiguration(section))) {
        void restart(context);
      }
    }));
  const pythonExtension = vscode.extensions.getExtension("ms-python.python");
  if (pythonExtension) {
    try {
      const api = pythonExtension.isActive ? pythonExtension.exports : await pythonExtension.activate();
      const event = api?.environments?.onDidChangeActiveEnvironmentPath;
      if (event && !vscode.workspace.getConfiguration("paramlens").get<string>("interpreter")) {
        context.subscriptions.push(event(() => restart(context)));
      }
    } catch (error) {
      output.appendLine(`The Python extension: ${error}`);
    }
  }
  await start(context);
}

export function deactivate(): Promise<void> {
  return stop();
}
