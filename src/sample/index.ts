// Public surface of the Sample stage (land-cover pass, sampling policies, reports).
export { landcoverStep, sampleStep, resolveLandcoverSource, LANDCOVER_TABLE, CLASS_FREQUENCIES } from './stage.js';
export { sampleStage } from './pipeline-stage.js';
export { runSampling, type SamplePlan, type SampleRun } from './run.js';
export { runPolicy, POLICY_NAMES, type PolicySpec, type PolicyResult, type PolicyName } from './policies/index.js';
export { applyFilters, NO_FILTERS, type SampleFilters, type FilterOutcome } from './filters.js';
export { allocatePopulation, populationFromCells, subsetPopulation, type CellPopulation, type CellInput } from './population.js';
export { writeSampleRun, readSampleWeights } from './outputs.js';
export { readLandcoverTable, writeLandcoverTable, readClassFrequencies, classFrequencies } from './landcover/table.js';
export { runLandcoverPass } from './landcover/pass.js';
export { gdalLandcoverReader } from './landcover/gdal-reader.js';
export type { SampleReport, PolicyReport, DistributionSummary } from './report/build.js';
