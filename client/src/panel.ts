// The "paramlens: Show model summary" panel: one webview, reused, showing the tree of the model
// at the cursor or of a clicked lens (paramlens/modelSummary); a row's line link reveals that
// line in the editor (in a notebook, in the cell that holds it). When the server answers that the
// file is not analysed yet, the panel asks again once it says the evaluation is done
// (paramlens/modelSummaryReady).
import { randomBytes } from "crypto";
import * as vscode from "vscode";
import { PanelAnswer, panelHtml } from "./panelHtml";

export type Ask = (uri: string, position: vscode.Position) => Promise<PanelAnswer | null>;

let panel: vscode.WebviewPanel | undefined;
// what the panel shows: the document whose lines the links reveal, and the question asked
let shown: { ask: Ask; uri: vscode.Uri; position: vscode.Position; pending: boolean } | undefined;

async function reveal(line: number, uri?: string): Promise<void> {
  const target = uri ? vscode.Uri.parse(uri) : shown?.uri;
  if (!target) {
    return;
  }
  // a notebook's cell is a text document of its own: showing it opens its notebook at the cell
  const document = await vscode.workspace.openTextDocument(target);
  const visible = vscode.window.visibleTextEditors.find((e) => e.document === document);
  const editor = await vscode.window.showTextDocument(document, visible?.viewColumn ?? vscode.ViewColumn.One);
  const at = new vscode.Position(line, document.lineAt(line).firstNonWhitespaceCharacterIndex);
  editor.selection = new vscode.Selection(at, at);
  editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

function render(answer: PanelAnswer | null, message?: string): void {
  if (!panel) {
    panel = vscode.window.createWebviewPanel("paramlens.modelSummary", "Model summary",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [] });
    panel.onDidDispose(() => { panel = undefined; shown = undefined; });
    panel.webview.onDidReceiveMessage((message: { type?: string; line?: unknown; uri?: unknown }) => {
      if (message.type === "reveal" && typeof message.line === "number") {
        void reveal(message.line, typeof message.uri === "string" ? message.uri : undefined);
      }
    });
  } else {
    panel.reveal(vscode.ViewColumn.Beside, true);
  }
  panel.title = answer && "name" in answer ? `Summary: ${answer.name}` : "Model summary";
  // a fresh nonce for each page: a script the page did not carry cannot guess it
  panel.webview.html = panelHtml(answer, randomBytes(16).toString("base64"), panel.webview.cspSource, message);
}

async function askAndRender(): Promise<void> {
  const asked = shown;
  if (!asked) {
    return;
  }
  let answer: PanelAnswer | null = null;
  let message: string | undefined;
  try {
    answer = await asked.ask(asked.uri.toString(), asked.position);
  } catch (error) {
    message = `The server did not answer: ${error}`;
  }
  if (shown !== asked) {
    return;  // asked about something else meanwhile
  }
  asked.pending = answer?.status === "pending";
  render(answer, message ?? (answer ? undefined : "This document is not open in the paramlens server."));
}

/** Shows the summary of the model at `position` in `uri` (default: the active editor's cursor). */
export async function showModelSummary(ask: Ask, uri?: string, position?: vscode.Position): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const target = uri ? vscode.Uri.parse(uri) : editor?.document.uri;
  if (!target) {
    void vscode.window.showInformationMessage("paramlens: open a Python file to see its model summary.");
    return;
  }
  shown = { ask, uri: target, position: position ?? editor?.selection.active ?? new vscode.Position(0, 0),
    pending: false };
  await askAndRender();
}

/** The server evaluated `uri`: a panel still waiting for it asks again. */
export async function summaryReady(uri: string): Promise<void> {
  if (panel && shown?.pending && shown.uri.toString() === uri) {
    await askAndRender();
  }
}
