/**
 * The counters payments keep, by outcome (src/metrics/ implements them for Prometheus); absent = nothing is counted.
 * Declared here, so that payments need not know the metrics room.
 */
export interface PaymentsMetrics {
  orderRegistered(): void;
  orderPaid(status: 'paid' | 'authorized'): void;
  orderDeclined(actionCode: number | null | undefined): void;
  registerFailed(code: string | undefined): void;
  reconcilerRun(summary: { checked: number; changed: number; unanswered: number }): void;
}
