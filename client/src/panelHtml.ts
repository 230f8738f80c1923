// The summary panel's page: a torchinfo-style tree of one model, as paramlens/modelSummary gives
// it. Pure (no vscode import) so that it can be unit-tested; panel.ts puts it in a webview.

/** One row of paramlens/modelSummary's tree: `line` is 0-based in the document asked about, or
 * in `uri` where it names another (a notebook's other cell); null where no document shows it. */
export interface SummaryRow {
  name: string;
  className: string;
  depth: number;
  params: number | null;
  trainable: number | null;
  shared: boolean;
  outputShape?: (number | null)[] | null;  // batch axis first, null a dimension of any size
  line: number | null;
  uri?: string | null;
  children: SummaryRow[];
}

export interface ModelSummary {
  status?: "built";
  name: string;
  root: SummaryRow;
  total: number | null;
  trainable: number | null;  // null where requires_grad is set under a condition the code does not fix
  known: number;
  why: string;
  depth: number;
  note?: string;  // which model this is, where the code builds it several times or inside others
}

/** The server's answer when it shows no tree, and why (server/paramlens/lsp/model_panel.py). */
export interface NoSummary {
  status: "pending" | "none" | "notBuilt" | "unavailable";
  message: string;
}

export type PanelAnswer = ModelSummary | NoSummary;

export function isSummary(answer: PanelAnswer | null): answer is ModelSummary {
  return answer !== null && (answer.status === undefined || answer.status === "built");
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

export function count(value: number | null): string {
  return value === null ? "?" : value.toLocaleString("en-US");
}

/** `(None, 48, 48, 32)` as the CLI and Keras write it; `--` where the shape is not known. */
export function shapeText(shape: (number | null)[] | null | undefined): string {
  return shape ? `(${shape.map((d) => (d === null ? "None" : String(d))).join(", ")})` : "--";
}

function rowLine(row: SummaryRow): string {
  const name = row.depth === 0 ? "" : `<span class="name">${escapeHtml(row.name)}</span> `;
  // a module listed a second time counts nothing here: its parameters are counted above; one
  // that owns none reads `--`, as in the CLI's summary and torchinfo's
  const params = row.shared ? "(recursive)" : row.params === 0 ? "--" : count(row.params);
  const where = row.uri ? ` data-uri="${escapeHtml(row.uri)}"` : "";
  const link = row.line === null ? ""
    : `<a href="#" class="line" data-line="${row.line}"${where}>line ${row.line + 1}</a>`;
  const shape = shapeText(row.outputShape);
  return `<span class="row" data-name="${escapeHtml(row.name)}" data-class="${escapeHtml(row.className)}" ` +
    `data-depth="${row.depth}" data-params="${row.params ?? ""}" data-shape="${escapeHtml(shape)}">` +
    `<span class="label" title="${escapeHtml(`${row.name} ${row.className}`.trim())}">` +
    `${name}<span class="class">${escapeHtml(row.className)}</span></span>` +
    `<span class="shape" title="${escapeHtml(shape)}">${escapeHtml(shape)}</span><span class="params">${params}</span>${link}</span>`;
}

function rowHtml(row: SummaryRow): string {
  if (!row.children.length) {
    return `<div class="leaf">${rowLine(row)}</div>`;
  }
  // open down to depth 1: the model's direct children show, deeper ones a click away
  const open = row.depth < 1 ? " open" : "";
  return `<details${open}><summary>${rowLine(row)}</summary>` +
    `<div class="children">${row.children.map(rowHtml).join("")}</div></details>`;
}

export function totalsHtml(summary: ModelSummary): string {
  const total = summary.total === null
    ? `Total params: at least ${count(summary.known)}${summary.why ? ` (${escapeHtml(summary.why)})` : ""}`
    : `Total params: ${count(summary.total)}`;
  const frozen = summary.total === null || summary.trainable === null
    ? null : summary.total - summary.trainable;
  const trainable = summary.trainable === null
    ? "? (requires_grad is set under a condition the code does not fix)" : count(summary.trainable);
  return `<div class="totals"><div id="total">${total}</div>` +
    `<div>Trainable params: ${trainable}</div>` +
    (frozen === null ? "" : `<div>Non-trainable params: ${count(frozen)}</div>`) + "</div>";
}

/** The whole page. `nonce` is the only way a script or style runs (the CSP allows nothing else);
 * `cspSource` is the webview's own origin, for nothing but what the CSP names. Without a tree,
 * the answer's own message (or `message`: the server did not answer). */
export function panelHtml(answer: PanelAnswer | null, nonce: string, cspSource: string,
  message = "The paramlens server did not answer."): string {
  const csp = `default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
  const body = !isSummary(answer)
    ? `<p class="empty" data-status="${answer?.status ?? "none"}">${escapeHtml(answer?.message ?? message)}</p>`
    : `<h2>${escapeHtml(answer.name)}</h2>` +
      (answer.note ? `<p class="note">${escapeHtml(answer.note)}</p>` : "") +
      `<div class="header"><span>Layer (type)</span><span>Output Shape</span><span>Param #</span><span></span></div>` +
      `<div class="tree">${rowHtml(answer.root)}</div>${totalsHtml(answer)}`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  /* the editor's theme: VS Code sets these variables in every webview */
  body { color: var(--vscode-editor-foreground); background: var(--vscode-editor-background);
    font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  h2 { font-weight: 600; margin: 0.5em 0; }
  /* Fixed columns right of a label that may shrink to nothing: every row is a grid of its own
     (a nested one narrower by its indent), and so they line up. A narrow panel scrolls. */
  .header, .row { display: grid; grid-template-columns: minmax(0, 1fr) 12em 6.5em 4.5em; gap: 0.6em; }
  .header, .tree { min-width: 36em; box-sizing: border-box; }
  .header > span:nth-child(3) { text-align: right; }
  .label, .shape, .params { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .shape { font-variant-numeric: tabular-nums; }
  .note { color: var(--vscode-descriptionForeground); margin: 0 0 0.5em; }
  .header { border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-editor-foreground));
    font-weight: 600; padding: 2px 0 2px 1.2em; }
  .row { padding: 1px 0; }
  .leaf > .row { padding-left: 1.2em; }
  summary { cursor: pointer; list-style-position: inside; }
  summary > .row { display: inline-grid; width: calc(100% - 1.2em); }
  .children { margin-left: 1.2em; border-left: 1px solid var(--vscode-tree-indentGuidesStroke, transparent); }
  .class { color: var(--vscode-symbolIcon-classForeground, var(--vscode-textLink-foreground)); }
  .name { color: var(--vscode-descriptionForeground); }
  .params { text-align: right; font-variant-numeric: tabular-nums; }
  a { color: var(--vscode-textLink-foreground); text-decoration: none; }
  a:hover { text-decoration: underline; }
  .totals { border-top: 1px solid var(--vscode-panel-border, var(--vscode-editor-foreground));
    margin-top: 0.5em; padding-top: 0.5em; }
</style></head><body>${body}
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.line");
    if (link) {
      event.preventDefault();  // inside <summary> a click would also fold the row
      vscode.postMessage({ type: "reveal", line: Number(link.dataset.line), uri: link.dataset.uri });
    }
  });
</script></body></html>`;
}
