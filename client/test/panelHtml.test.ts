import assert from "node:assert/strict";
import { test } from "node:test";
import { ModelSummary, panelHtml } from "../src/panelHtml";

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
  assert.match(html, /data-params="">.*<span class="params">\?<\/span><\/span><\/div>/);  // unknown: no link
  assert.ok(html.indexOf("Total params: 20") > html.indexOf('data-name="imported"'));
  assert.match(html, /Non-trainable params: 5/);
  assert.match(panelHtml(null, "n", "s"), /No model is built in this file\./);
});
