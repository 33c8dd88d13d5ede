export type QueueTask<T> = (signal: AbortSignal) => Promise<T>;

interface WaitingTask {
  start: () => void;
  reject: (reason: unknown) => void;
}

export function cancellationError(message = "Upload cancelled"): DOMException {
  return new DOMException(message, "AbortError");
}

function checkedConcurrency(concurrency: number): number {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  return concurrency;
}

/**
 * Runs tasks first-in first-out with at most `concurrency` running at once; the next starts as soon as one
 * settles. Each task gets its own AbortSignal so `abortAll` can stop the running ones and drop the waiting ones.
 */
export class UploadQueue {
  #concurrency: number;
  readonly #waiting: WaitingTask[] = [];
  readonly #running = new Set<AbortController>();

  constructor(concurrency: number) {
    this.#concurrency = checkedConcurrency(concurrency);
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  /**
   * Changes the limit while tasks run (the upload origin's protocol is known only once a request has gone):
   * a higher limit starts waiting tasks at once; a lower one lets running tasks finish and starts no more until
   * fewer than the new limit run.
   */
  setConcurrency(concurrency: number): void {
    this.#concurrency = checkedConcurrency(concurrency);
    this.#startNext();
  }

  get runningCount(): number {
    return this.#running.size;
  }

  get waitingCount(): number {
    return this.#waiting.length;
  }

  add<T>(task: QueueTask<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        const controller = new AbortController();
        this.#running.add(controller);
        // A task that throws synchronously must still free its slot.
        new Promise<T>((run) => run(task(controller.signal))).then(resolve, reject).finally(() => {
          this.#running.delete(controller);
          this.#startNext();
        });
      };
      this.#waiting.push({ start, reject });
      this.#startNext();
    });
  }

  /** Aborts every running task and rejects every waiting one; the queue stays usable afterwards. */
  abortAll(reason: unknown = cancellationError()): void {
    for (const waiting of this.#waiting.splice(0)) waiting.reject(reason);
    for (const controller of this.#running) controller.abort(reason);
  }

  #startNext(): void {
    while (this.#running.size < this.#concurrency) {
      const next = this.#waiting.shift();
      if (!next) return;
      next.start();
    }
  }
}
