import type { HistoryEntry, ImageConfig } from '../image-config';
import { cleanCommand } from './command';
import type { TrivyReport } from './trivy';

/** One entry of the image config's `history`, with the layer it created when that is known. */
export interface HistoryStepInfo {
  /** Position in `history[]`, counting empty-layer entries too. */
  historyIndex: number;
  /** The raw `created_by`, absent when the builder recorded none. */
  createdBy?: string;
  /** Cleaned Dockerfile line, "" when unknown. */
  command: string;
  created?: string;
  /** True for entries marked `empty_layer: true` (ENV, CMD, ...), which made no layer. */
  emptyLayer: boolean;
  /** Zero-based position in `rootfs.diff_ids`, set only when the mapping is known. */
  layerIndex?: number;
  diffId?: string;
}

/** Origin of a layer: its position and the history step that created it. */
export interface LayerOrigin {
  layerIndex: number;
  historyIndex: number;
  command: string;
}

/** The history of an image config with each layer matched to the step that created it. */
export interface HistoryMapping {
  /** False when the history is missing or its non-empty entries do not match the layer count. */
  known: boolean;
  steps: HistoryStepInfo[];
  /** Layer origin by diff ID, empty when the mapping is unknown. */
  byDiffId: ReadonlyMap<string, LayerOrigin>;
}

/**
 * Matches the config's history to its layers: the k-th history entry without `empty_layer: true`
 * created `rootfs.diff_ids[k]`. When the counts differ, or the history is missing, the mapping is
 * unknown and no step gets a layer, because any pairing would be a guess. The steps are listed
 * either way.
 */
export function mapHistory(config: ImageConfig): HistoryMapping {
  const history = config.history;
  const diffIds = config.rootfs?.diff_ids ?? [];
  const steps = (history ?? []).map(describeStep);

  const layerSteps = steps.filter((step) => !step.emptyLayer);
  const known = history !== undefined && layerSteps.length === diffIds.length;
  const byDiffId = new Map<string, LayerOrigin>();
  if (!known) {
    return { known, steps, byDiffId };
  }

  layerSteps.forEach((step, layerIndex) => {
    const diffId = diffIds[layerIndex];
    step.layerIndex = layerIndex;
    step.diffId = diffId;

    // Two layers with the same content share a diff ID. The first one introduced the content.
    if (diffId !== undefined && !byDiffId.has(diffId)) {
      byDiffId.set(diffId, { layerIndex, historyIndex: step.historyIndex, command: step.command });
    }
  });
  return { known, steps, byDiffId };
}

/** Maps the history of the image config that Trivy recorded in the report's metadata. */
export function mapReportHistory(report: TrivyReport): HistoryMapping {
  return mapHistory(report.Metadata?.ImageConfig ?? {});
}

function describeStep(entry: HistoryEntry, historyIndex: number): HistoryStepInfo {
  return {
    historyIndex,
    createdBy: entry.created_by,
    command: cleanCommand(entry.created_by),
    created: entry.created,
    emptyLayer: entry.empty_layer === true,
  };
}
