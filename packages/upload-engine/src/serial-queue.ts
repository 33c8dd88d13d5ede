/**
 * Runs tasks one after another, in the order they were given. A task's failure reaches its own caller only: the
 * next task runs all the same.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task given so far has ended, however it ended. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
