// Inputs a run can make for itself before any stage: the demo world is generated on first use
// (it is not committed), so `terrafm run pipelines/demo.yaml` works on a fresh clone.
import { join } from 'node:path';
import type { PipelineConfig } from '../config/pipeline.js';
import { DEFAULT_DEMO_DIR, ensureDemoWorld } from '../demo/ensure.js';
import { logger } from '../log/logger.js';

export async function prepareInputs(config: PipelineConfig): Promise<void> {
  const demoCatalog = join(DEFAULT_DEMO_DIR, 'catalog.json');
  const usesDemo = Object.values(config.sources).some((s) => s?.catalog === demoCatalog);
  if (!usesDemo) return;
  const t0 = performance.now();
  const info = await ensureDemoWorld(DEFAULT_DEMO_DIR);
  if (info.generated) {
    logger().info(`demo world generated in ${DEFAULT_DEMO_DIR}: ${info.itemCount} items, ${info.assetCount} assets (${((performance.now() - t0) / 1000).toFixed(1)}s)`);
  }
}
