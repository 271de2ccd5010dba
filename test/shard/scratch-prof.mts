import { syntheticTile } from '../../src/shard/synthetic.js';
import { openShardSink } from '../../src/shard/sink.js';
import { normalise } from '../../src/config/sections/shard.js';
const pool = [0, 1, 2, 3].map((i) => syntheticTile(i, { size: 256 }));
const sink = openShardSink('/tmp/prof/c', normalise({}), { overwrite: true });
const t0 = performance.now();
for (let i = 0; i < 48; i++) await sink.write({ ...pool[i % 4], tileId: `T${i}` });
await sink.close();
console.log('s', (performance.now() - t0) / 1000);
