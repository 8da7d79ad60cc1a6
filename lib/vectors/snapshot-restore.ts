import { CollectionMemory, type HnswOptions } from './collection-memory.js';
import type { SnapshotFiles } from './snapshot-files.js';
import type { VectorStore } from './vector-store.js';

/** Why a snapshot was not used, for the load event; undefined when it was. */
export type SnapshotMiss = 'none' | 'unreadable' | 'foreign' | 'settings' | 'inconsistent';

/**
 * The collection's memory from its snapshot at the snapshot's version, ready for the usual
 * catch-up from there; or why not (the caller then builds the graph from the table). The graph
 * comes from the file; each key's id and metadata are read again from the table without vectors
 * (the table is the truth), and keys the snapshot holds that no stored item has any longer
 * (replaced or deleted since) are removed from the graph.
 */
export async function restoreSnapshot(
  files: SnapshotFiles,
  store: VectorStore,
  collection: { id: string; dimensions: number; version: number; createdAt: string },
  options: HnswOptions & { pageSize: number },
): Promise<CollectionMemory | SnapshotMiss> {
  const snapshot = await files.read(collection.id);
  if (typeof snapshot === 'string') return snapshot;
  const { manifest, keys } = snapshot;
  if (
    manifest.createdAt !== collection.createdAt ||
    manifest.dimensions !== collection.dimensions ||
    manifest.version > collection.version
  ) {
    return 'foreign';
  }
  const memory = new CollectionMemory(collection.dimensions, options);
  if (
    manifest.quantization !== memory.settings.quantization ||
    manifest.connectivity !== memory.settings.connectivity
  ) {
    return 'settings';
  }
  try {
    memory.hnsw.load(snapshot.graphPath);
  } catch {
    return 'unreadable';
  }
  if (memory.hnsw.size() !== keys.length || memory.hnsw.dimensions() !== collection.dimensions) {
    return 'inconsistent';
  }
  const held = new Set(keys);
  for (let afterKey = 0; ;) {
    const page = await store.entriesUpTo(
      collection.id,
      manifest.version,
      afterKey,
      options.pageSize,
    );
    for (const entry of page) {
      // A stored item of the snapshot's version that the snapshot lacks: not this table's graph.
      if (!held.delete(entry.key)) return 'inconsistent';
      memory.adopt(entry);
    }
    if (page.length < options.pageSize) break;
    afterKey = (page[page.length - 1] as { key: number }).key;
  }
  for (const key of held) memory.forget(key);
  memory.version = manifest.version;
  return memory;
}
