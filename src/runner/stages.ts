// The stages `terrafm run` executes, in order: the one place that knows every stage's adapter
// (src/<stage>/adapter.ts). The CLI passes this list to runPipeline.
import { discoverStage } from '../discover/adapter.js';
import type { Stage } from '../pipeline/stage.js';
import { publishStage } from '../publish/adapter.js';
import { sampleStage } from '../sample/adapter.js';
import { tileStage } from '../tile/adapter.js';
import { trainStage } from '../train/adapter.js';

export const STAGES: Stage[] = [discoverStage, sampleStage, tileStage, publishStage, trainStage];
