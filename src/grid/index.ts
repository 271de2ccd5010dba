// Major-TOM-compatible grid: geometry (rows, columns, ids), cells with UTM targets, area covers.
export { GridGeometry, cellId, parseCellId, MAJOR_TOM_RADIUS_KM, GLOBAL_LAT_RANGE } from './spec.js';
export { Grid, extentRing, extentLonLatBBox, MAJOR_TOM_CORE, type GridSpec } from './grid.js';
export { coverArea, countCells, type Area, type CoverOptions, type GeoJsonPolygonal } from './cover.js';
export { utmZone, utmEpsg, utmForward, utmInverse, parseUtmEpsg, centralMeridian } from './utm.js';
