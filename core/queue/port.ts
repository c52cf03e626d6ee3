/** A request to scan one image tag, as it travels through the queue. */
export interface ScanMessage {
  scanId: string;
  repository: string;
  tag: string;
  queuedAt: string;
}

/** A message taken from the queue; `receipt` acknowledges or releases it. */
export interface ReceivedMessage {
  receipt: string;
  /** Undefined when the body is not a valid ScanMessage, and then `error` gives the reason. */
  message?: ScanMessage;
  error?: string;
  body: string;
}

/**
 * The scan queue: durable local files, or SQS in AWS. A received message stays hidden from
 * other receivers until it is deleted or released. A message taken by a process that died
 * becomes visible again: at the next start locally, after the visibility timeout in SQS.
 */
export interface ScanQueue {
  send(message: ScanMessage): Promise<void>;
  receive(maxMessages: number): Promise<ReceivedMessage[]>;
  /** Removes a message once its scan is recorded as completed or failed. */
  delete(receipt: string): Promise<void>;
  /** Moves a message that cannot be processed aside, with the reason. */
  reject(receipt: string, reason: string): Promise<void>;
  /**
   * Keeps a received message hidden for `seconds` more while its scan runs. Absent where
   * messages stay hidden until deleted (the local queue).
   */
  extendVisibility?(receipt: string, seconds: number): Promise<void>;
  /** Scan ids of the messages waiting or in progress. */
  pendingScanIds(): Promise<Set<string>>;
}
