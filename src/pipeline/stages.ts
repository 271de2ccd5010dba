// The stages `terrafm run` executes, in order. Each lives in its own module under src/<stage>/.
import { discoverStage } from '../discover/pipeline-stage.js';
import { publishStage } from '../publish/pipeline-stage.js';
import { sampleStage } from '../sample/pipeline-stage.js';
import { tileStage } from '../tile/pipeline-stage.js';
import { trainStage } from '../train/pipeline-stage.js';
import type { Stage } from './stage.js';

export const STAGES: Stage[] = [discoverStage, sampleStage, tileStage, publishStage, trainStage];
