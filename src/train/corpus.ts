// Adapts a shard corpus directory (src/shard: manifest.json, stats.json, Parquet shards) to the
// trainer's TileSource. Reading from stream index n skips whole shards by their manifest row counts
// and whole row groups by their ranges, so a resume does not decode the tiles before n.
import path from 'node:path';
import { MODALITIES, type Modality } from '../model/types.js';
import { bandMoments, columnsFor, openCorpus, openShard, readShardFile, readShardRows } from '../shard/index.js';
import { TrainError } from '../errors.js';
import type { TileSource, TrainTile } from './tiles.js';
import type { CorpusNormalisation } from '../shard/stats.js';

export interface CorpusSourceOptions {
  /** Modalities to read (others' columns are skipped). Default all. */
  modalities?: Modality[];
}

export function corpusTileSource(dir: string, opts: CorpusSourceOptions = {}): TileSource {
  const corpus = openCorpus(dir);
  const mods = opts.modalities ?? [...MODALITIES];
  const columns = columnsFor(mods);
  const stats: CorpusNormalisation = { modalities: {}, classPixelCounts: corpus.stats.classPixelCounts };
  for (const m of MODALITIES) {
    const ms = corpus.stats.modalities[m];
    if (!ms) continue;
    const mom = ms.perBand.map(bandMoments);
    stats.modalities[m] = { mean: mom.map((x) => x.mean), std: mom.map((x) => x.std), bands: ms.bands };
  }
  if (corpus.manifest.tiles === 0) throw new TrainError(`${dir}: the corpus has no tiles`);
  return {
    stats: async () => stats,
    async tileIds() {
      const ids: string[] = [];
      for (const s of corpus.manifest.shards) for await (const t of readShardFile(path.join(dir, s.file), { columns: ['tile_id'] })) ids.push(t.tileId);
      return ids;
    },
    async *read(from: number): AsyncGenerator<TrainTile> {
      let base = 0;
      for (const s of corpus.manifest.shards) {
        if (base + s.rows <= from) {
          base += s.rows;
          continue;
        }
        const shard = await openShard(path.join(dir, s.file));
        try {
          const local = Math.max(0, from - base);
          const groups = shard.rowGroups.map((_, i) => i).filter((i) => shard.rowGroups[i].end > local);
          for await (const t of readShardRows(shard, { rowGroups: groups, columns })) {
            if (t.rowIndex < local) continue;
            yield t;
          }
        } finally {
          await shard.close();
        }
        base += s.rows;
      }
    },
  };
}
