// The "paramlens: Show model summary" panel: one webview, reused, showing the tree of the model
// at the cursor (paramlens/modelSummary); a row's line link reveals that line in the editor.
import { randomBytes } from "crypto";
import * as vscode from "vscode";
import { ModelSummary, panelHtml } from "./panelHtml";

export type Ask = (uri: string, position: vscode.Position) => Promise<ModelSummary | null>;

let panel: vscode.WebviewPanel | undefined;
let shownUri: vscode.Uri | undefined;  // the document whose lines the links reveal

async function reveal(line: number): Promise<void> {
  if (!shownUri) {
    return;
  }
  const document = await vscode.workspace.openTextDocument(shownUri);
  const visible = vscode.window.visibleTextEditors.find((e) => e.document === document);
  const editor = await vscode.window.showTextDocument(document, visible?.viewColumn ?? vscode.ViewColumn.One);
  const at = new vscode.Position(line, document.lineAt(line).firstNonWhitespaceCharacterIndex);
  editor.selection = new vscode.Selection(at, at);
  editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Shows the summary of the model at `position` in `uri` (default: the active editor's cursor). */
export async function showModelSummary(ask: Ask, uri?: string, position?: vscode.Position): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const target = uri ? vscode.Uri.parse(uri) : editor?.document.uri;
  if (!target) {
    void vscode.window.showInformationMessage("paramlens: open a Python file to see its model summary.");
    return;
  }
  const at = position ?? editor?.selection.active ?? new vscode.Position(0, 0);
  let summary: ModelSummary | null = null;
  let message = "No model is built in this file.";
  try {
    summary = await ask(target.toString(), at);
  } catch (error) {
    message = `The server did not answer: ${error}`;
  }
  if (!panel) {
    panel = vscode.window.createWebviewPanel("paramlens.modelSummary", "Model summary",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [] });
    panel.onDidDispose(() => { panel = undefined; });
    panel.webview.onDidReceiveMessage((message: { type?: string; line?: unknown }) => {
      if (message.type === "reveal" && typeof message.line === "number") {
        void reveal(message.line);
      }
    });
  } else {
    panel.reveal(vscode.ViewColumn.Beside, true);
  }
  shownUri = target;
  panel.title = summary ? `Summary: ${summary.name}` : "Model summary";
  // a fresh nonce for each page: a script the page did not carry cannot guess it
  panel.webview.html = panelHtml(summary, randomBytes(16).toString("base64"), panel.webview.cspSource, message);
}
