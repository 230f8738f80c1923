// What the status bar shows: one model's total, the one at the cursor, else the file's largest.
// A file's models are alternatives (two builders, an Encoder and a Decoder): never summed.

/** Where a model lies (0-based lines, as paramlens/fileSummary gives them) and its title. */
export interface Extent {
  title: string;
  start: number;
  end: number;
  size: number;
}

export interface Summary {
  text: string;
  models: string[];
  extents?: Extent[];
}

/** The title of the innermost model whose lines hold the cursor's line, else of the file's
 * largest; undefined when the file has no model with a count. */
export function modelAt(summary: Summary, line: number | undefined): string | undefined {
  const extents = summary.extents ?? [];
  if (line !== undefined) {
    const around = extents.filter((e) => e.start <= line && line <= e.end)
      .sort((a, b) => (a.end - a.start) - (b.end - b.start) || b.start - a.start);
    if (around.length) {
      return around[0].title;
    }
  }
  if (summary.models.includes(summary.text)) {
    return summary.text;  // the server's pick: the largest, a certain total before an assumed one
  }
  // (the server's text is the sum of the file's layers when no model has a count: not shown)
  const largest = extents.reduce<Extent | undefined>(
    (best, e) => (best === undefined || e.size > best.size ? e : best), undefined);
  return largest && largest.size > 0 ? largest.title : undefined;
}
