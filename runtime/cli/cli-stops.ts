/**
 * SIGINT and SIGTERM from the first line of main() to its end (before the flags are parsed: a
 * signal that comes in between must not be lost), those the launcher caught before the CLI had
 * loaded, and, under npm, the parent's end.
 */
import { takeEarlySignals } from './early-signals.js';
import { startedByNpm, watchParent } from './parent-watch.js';

export class CliStops {
  readonly graceful = new AbortController();
  readonly hard = new AbortController();
  #signals = 0;
  readonly #offParent: () => void;
  readonly #onSignal = (sig: NodeJS.Signals) => {
    this.#signals++;
    if (this.#signals === 1) {
      this.stderr.write(`\nmcprun: ${sig}: stopping — in-flight iterations get their gracefulStop; press Ctrl-C again to stop now (the summary is still written).\n`);
      this.graceful.abort();
    } else {
      this.stderr.write(`\nmcprun: ${sig} again: stopping now.\n`);
      this.hard.abort();
    }
  };

  constructor(readonly stderr: NodeJS.WritableStream) {
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
    // Ours are in place: the launcher's handlers can go, and what they caught counts now.
    for (const sig of takeEarlySignals()) this.#onSignal(sig);
    this.#offParent = startedByNpm()
      ? watchParent((pid) => {
          stderr.write(`\nmcprun: the process that started it (npm/npx, pid ${pid}) is gone; stopping as on SIGTERM.\n`);
          this.#onSignal('SIGTERM');
        })
      : () => {};
  }

  close(): void {
    this.#offParent();
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}
