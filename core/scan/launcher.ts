/**
 * Starts scan workers when scans wait: in-process locally (the worker is woken), an ECS
 * Fargate task in AWS. Called after a scan is queued and by the scheduled check.
 */
export interface ScanLauncher {
  /** Starts a worker unless enough already run; never throws for a capacity shortage. */
  ensureRunning(): Promise<void>;
}
