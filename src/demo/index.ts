// Public surface of the demo world for the other stages, tests and the demo command.
export { ensureDemoWorld, DEFAULT_DEMO_DIR, readCurrentStamp, type DemoWorldInfo, type EnsureOptions } from './ensure.js';
export { generateWorld, planDemoWorld, STAMP_FILE, type DemoStamp, type GenerateOptions } from './generate.js';
export { truthClass } from './truth.js';
export {
  DEMO_AREA_BBOXES,
  DEMO_COLLECTIONS,
  DEMO_GENERATOR_VERSION,
  DEMO_LAYOUT,
  DEMO_PLACES,
  DEMO_TIME_RANGE,
  BASELINE_OFFSET_FROM,
  placeById,
  type DemoPlace,
  type DemoS1Scene,
  type DemoS2Scene,
  type PlaceId,
} from './world.js';
