/** One entry of an image config's `history` (OCI image spec, "Properties" of the config). */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The parts of an OCI or Docker image config blob that Berth reads. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  history?: HistoryEntry[];
  rootfs?: { type?: string; diff_ids?: string[] };
  config?: { Labels?: Record<string, string> | null; [key: string]: unknown };
}
