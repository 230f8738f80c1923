// Ordering for the client's asynchronous work, free of the vscode module so node can test it.

/** Runs tasks one after another, never two at once. A task asked for while another of the same
 * kind is still waiting to begin joins it: a burst of settings changes gives one restart after
 * the one running, never two servers. */
export class Serial {
  private tail: Promise<void> = Promise.resolve();
  private waiting: { kind: string; done: Promise<void> } | undefined;

  run(kind: string, task: () => Promise<void>): Promise<void> {
    if (this.waiting && this.waiting.kind === kind) {
      return this.waiting.done;
    }
    const entry = { kind, done: Promise.resolve() };
    entry.done = this.tail.then(() => {
      if (this.waiting === entry) {
        this.waiting = undefined;
      }
      return task();
    });
    this.waiting = entry;
    this.tail = entry.done.catch(() => undefined);
    return entry.done;
  }

  /** Resolves when every task asked for so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}

/** Calls `run` once typing has paused for `delay()` milliseconds. */
export class Debouncer {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly run: () => void, private readonly delay: () => number) {}

  schedule(): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, this.delay());
  }

  /** Runs now (a pending call is dropped: this one replaces it). */
  now(): void {
    this.cancel();
    this.run();
  }

  cancel(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
