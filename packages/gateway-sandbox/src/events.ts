import type { SandboxEvent, SandboxLogger } from './types.js';

export type SandboxListener = (event: SandboxEvent) => void;

/**
 * A tiny listener list rather than node:events: listeners are isolated so a throwing
 * callback sender can never break the gateway request that triggered it.
 */
export class SandboxEvents {
  readonly #listeners = new Set<SandboxListener>();

  constructor(private readonly logger?: SandboxLogger) {}

  on(listener: SandboxListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: SandboxEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger?.error({ err, operation: event.operation }, 'sandbox event listener failed');
      }
    }
  }
}
