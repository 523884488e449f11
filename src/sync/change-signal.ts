/**
 * Lets code that waits for a condition sleep until something it depends on changed, then check
 * again: `while (!ready()) await signal.changed;` on one side, `signal.notify()` on the other.
 */
export class ChangeSignal {
  private wake: () => void = () => undefined;
  private next = this.arm();

  /** Resolves at the next `notify()`. */
  get changed(): Promise<void> {
    return this.next;
  }

  notify(): void {
    const wake = this.wake;
    this.next = this.arm();
    wake();
  }

  private arm(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }
}
