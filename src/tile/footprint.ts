// WGS84 footprint of a target grid, computed in pure JS (proj4) so plans stay testable without GDAL.
import proj4 from 'proj4';
import type { BBox } from '../model/types.js';

/** proj4 definition of a WGS84 / UTM EPSG code (326xx north, 327xx south), or of EPSG:4326. */
export function projDefinition(epsg: number): string {
  if (epsg === 4326) return 'EPSG:4326';
  const zone = epsg % 100;
  const hemisphere = Math.floor(epsg / 100);
  if ((hemisphere === 326 || hemisphere === 327) && zone >= 1 && zone <= 60) {
    return `+proj=utm +zone=${zone}${hemisphere === 327 ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`;
  }
  throw new Error(`EPSG:${epsg} is not supported for tile grids; expected a WGS84 UTM zone (32601-32660, 32701-32760) or 4326`);
}

/** Closed ring [[lon, lat], ...] of the extent's corners, counter-clockwise from lower-left. */
export function footprintWgs84(epsg: number, extent: BBox): [number, number][] {
  const [minx, miny, maxx, maxy] = extent;
  const corners: [number, number][] = [
    [minx, miny],
    [maxx, miny],
    [maxx, maxy],
    [minx, maxy],
  ];
  const def = projDefinition(epsg);
  const ring = corners.map(([x, y]) => {
    const [lon, lat] = def === 'EPSG:4326' ? [x, y] : proj4(def, 'EPSG:4326', [x, y]);
    // 1e-9 degree (~0.1 mm) keeps footprints stable across platforms without losing meaning.
    return [Math.round(lon * 1e9) / 1e9, Math.round(lat * 1e9) / 1e9] as [number, number];
  });
  ring.push([ring[0][0], ring[0][1]]);
  return ring;
}
