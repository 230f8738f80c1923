import assert from "node:assert/strict";
import { test } from "node:test";
import { ModelSummary, panelHtml, shapeText } from "../src/panelHtml";

const leaf = (name: string, className: string, params: number | null, line: number | null) =>
  ({ name, className, depth: 1, params, trainable: params, shared: false, line, children: [] });
const summary: ModelSummary = {
  name: "Net<T>", total: 20, trainable: 15, known: 20, why: "", depth: 3,
  root: { name: "Net<T>", className: "Net<T>", depth: 0, params: 20, trainable: 15, shared: false,
    line: 3, children: [leaf("fc", "Linear", 20, 5), leaf("imported", "Block", null, null)] },
};

test("the page allows only its own nonce's script and style, and escapes names", () => {
  const html = panelHtml(summary, "abc123", "vscode-resource:");
  assert.match(html, /default-src 'none'; style-src vscode-resource: 'nonce-abc123'; script-src 'nonce-abc123';/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, /<script nonce="abc123">/);
  assert.ok(!html.includes("Net<T>") && html.includes("Net&lt;T&gt;"));
});

test("rows carry their counts and line links; totals at the bottom", () => {
  const html = panelHtml(summary, "n", "s");
  assert.match(html, /data-name="fc" data-class="Linear" data-depth="1" data-params="20"/);
  assert.match(html, /data-line="5">line 6</);  // 0-based in, 1-based shown
  assert.match(html, /data-params="" data-shape="--">.*<span class="params">\?<\/span><\/span><\/div>/);  // unknown: no link
  assert.ok(html.indexOf("Total params: 20") > html.indexOf('data-name="imported"'));
  assert.match(html, /Non-trainable params: 5/);
});

test("a row shows its output shape as Keras writes it, `--` where unknown", () => {
  assert.equal(shapeText([null, 48, 48, 32]), "(None, 48, 48, 32)");
  assert.equal(shapeText(null), "--");
  assert.equal(shapeText(undefined), "--");
  const shaped: ModelSummary = { ...summary, root: { ...summary.root, outputShape: [null, 10],
    children: [{ ...leaf("fc", "Linear", 20, 5), outputShape: [null, 10] }] } };
  const html = panelHtml(shaped, "n", "s");
  assert.match(html, /<span>Output Shape<\/span>/);
  assert.match(html, /data-name="fc"[^>]*data-shape="\(None, 10\)">.*<span class="shape" title="\(None, 10\)">\(None, 10\)<\/span>/);
  assert.match(panelHtml(summary, "n", "s"), /data-name="fc"[^>]*data-shape="--"/);
});

test("a row made in another document links to it; the note says which model this is", () => {
  const cell = "vscode-notebook-cell:/m.ipynb#W2";
  const noted: ModelSummary = { ...summary, note: "Block is not built on its own; shown: <the largest>",
    root: { ...summary.root, children: [{ ...leaf("fc", "Linear", 20, 5), uri: cell }] } };
  const html = panelHtml(noted, "n", "s");
  assert.match(html, /data-line="5" data-uri="vscode-notebook-cell:\/m\.ipynb#W2">line 6</);
  assert.match(html, /<p class="note">Block is not built on its own; shown: &lt;the largest&gt;<\/p>/);
});

test("without a tree, the server's own words: not analysed yet is not 'no model'", () => {
  const pending = panelHtml({ status: "pending", message: "This file is not analysed yet." }, "n", "s");
  assert.match(pending, /data-status="pending">This file is not analysed yet\.</);
  assert.ok(!pending.includes("No model"));
  assert.match(panelHtml({ status: "none", message: "No model is built in this file." }, "n", "s"),
    /data-status="none">No model is built in this file\.</);
  assert.match(panelHtml(null, "n", "s", "The server did not answer: boom"), /The server did not answer: boom/);
});

test("a module that owns no parameters reads `--`, as in torchinfo; its count stays in data", () => {
  const relu: ModelSummary = { ...summary, root: { ...summary.root,
    children: [leaf("act", "ReLU", 0, 7), leaf("fc", "Linear", 20, 5)] } };
  const html = panelHtml(relu, "n", "s");
  assert.match(html, /data-name="act"[^>]*data-params="0"[^>]*>.*?<span class="params">--<\/span>/);
  assert.match(html, /data-name="fc"[^>]*>.*?<span class="params">20<\/span>/);
});
