import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionalString } from '../config.js';

/**
 * The variable a service that owns collections reads for `snapshotDir` (decision 97), with its
 * other configuration: where each collection's HNSW graph is saved so a restart loads it instead
 * of building it again from the table.
 */
export const vectorSnapshotEnv = { VECTOR_SNAPSHOT_DIR: optionalString };

/** The snapshot directory: the configured one, or `modelgraph-vectors` under the OS temp dir. */
export const vectorSnapshotDir = (configured: string | undefined) =>
  configured ?? join(tmpdir(), 'modelgraph-vectors');

/** What a snapshot holds; the index uses it only when all of it agrees with the table. */
export interface SnapshotManifest {
  collectionId: string;
  /** The collection row's `created_at`: a dropped and recreated collection's snapshot is foreign. */
  createdAt: string;
  dimensions: number;
  quantization: string;
  connectivity: number;
  /** The collection version every write up to which is in the graph. */
  version: number;
}

interface ManifestFile extends SnapshotManifest {
  format: 1;
  graphFile: string;
  keysFile: string;
  /** sha256 of the graph file, then the keys file. */
  sha256: string;
}

export interface Snapshot {
  manifest: SnapshotManifest;
  graphPath: string;
  /** The graph's keys when it was saved (every live one). */
  keys: Float64Array;
}

const hashFiles = async (paths: readonly string[]) => {
  const hash = createHash('sha256');
  for (const path of paths) {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
};

/**
 * A directory of collection snapshots: per collection a usearch graph file, its keys and a JSON
 * manifest naming both. Files are written under fresh names and the manifest is renamed over the
 * old one last, so a reader sees the old snapshot or the new one whole; a checksum catches the
 * rest (a torn or foreign file reads as no snapshot).
 */
export function createSnapshotFiles(dir: string) {
  const baseOf = (collectionId: string) =>
    join(dir, createHash('sha256').update(collectionId).digest('hex').slice(0, 40));

  /** The manifest; undefined when there is none, null when it is not JSON. */
  const readManifest = async (collectionId: string): Promise<ManifestFile | null | undefined> => {
    let text: string;
    try {
      text = await readFile(`${baseOf(collectionId)}.json`, 'utf8');
    } catch {
      return undefined;
    }
    try {
      return JSON.parse(text) as ManifestFile;
    } catch {
      return null;
    }
  };

  const removeFiles = async (manifest: ManifestFile | null | undefined) => {
    if (!manifest?.graphFile || !manifest.keysFile) return;
    await Promise.all(
      [manifest.graphFile, manifest.keysFile].map((file) => rm(join(dir, file), { force: true })),
    );
  };

  return {
    dir,

    /**
     * Saves a snapshot. `writeGraph` runs at once (before the first await), so the caller's graph,
     * `keys` and `manifest.version` are read at one point in time.
     */
    async save(
      manifest: SnapshotManifest,
      writeGraph: (path: string) => void,
      keys: Float64Array,
    ): Promise<void> {
      const base = baseOf(manifest.collectionId);
      const stem = `${base.slice(dir.length + 1)}.${process.pid}.${randomUUID()}`;
      const graphFile = `${stem}.usearch`;
      const keysFile = `${stem}.keys`;
      mkdirSync(dir, { recursive: true });
      writeGraph(join(dir, graphFile));
      try {
        await writeFile(join(dir, keysFile), new Uint8Array(keys.buffer, 0, keys.byteLength));
        const sha256 = await hashFiles([join(dir, graphFile), join(dir, keysFile)]);
        const previous = await readManifest(manifest.collectionId);
        const file: ManifestFile = { format: 1, ...manifest, graphFile, keysFile, sha256 };
        await writeFile(join(dir, `${stem}.json.tmp`), JSON.stringify(file));
        await rename(join(dir, `${stem}.json.tmp`), `${base}.json`);
        await removeFiles(previous);
      } catch (error) {
        await removeFiles({ graphFile, keysFile } as ManifestFile);
        throw error;
      }
    },

    /** The collection's snapshot; `none` when it has none, `unreadable` when its files do not check out. */
    async read(collectionId: string): Promise<Snapshot | 'none' | 'unreadable'> {
      const file = await readManifest(collectionId);
      if (file === undefined) return 'none';
      if (file?.format !== 1 || file.collectionId !== collectionId) return 'unreadable';
      const graphPath = join(dir, file.graphFile);
      const keysPath = join(dir, file.keysFile);
      try {
        if ((await hashFiles([graphPath, keysPath])) !== file.sha256) return 'unreadable';
        const bytes = await readFile(keysPath);
        if (bytes.byteLength % 8 !== 0) return 'unreadable';
        const keys = new Float64Array(bytes.byteLength / 8);
        new Uint8Array(keys.buffer).set(bytes);
        const {
          collectionId: id,
          createdAt,
          dimensions,
          quantization,
          connectivity,
          version,
        } = file;
        return {
          manifest: {
            collectionId: id,
            createdAt,
            dimensions,
            quantization,
            connectivity,
            version,
          },
          graphPath,
          keys,
        };
      } catch {
        return 'unreadable';
      }
    },

    /** Deletes the collection's snapshot (the collection was dropped). */
    async remove(collectionId: string): Promise<void> {
      const manifest = await readManifest(collectionId);
      await rm(`${baseOf(collectionId)}.json`, { force: true });
      await removeFiles(manifest);
    },
  };
}

export type SnapshotFiles = ReturnType<typeof createSnapshotFiles>;
