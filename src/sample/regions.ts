// Region buckets for the geographic parts of the report: 10-degree latitude bands and UTM zones.
// Filters that silently remove whole regions (Clay #93 lost all of Greenland) are caught by counting
// cells per bucket before and after every filter.

/** Latitude band of a cell's lower-left corner, e.g. `N00-N10`, `S10-S00`. */
export function latBand(lat: number): string {
  const lo = Math.max(-90, Math.min(80, Math.floor(lat / 10) * 10));
  const hi = lo + 10;
  // The band just south of the equator is S10-S00, not S10-N00: both ends in the band's hemisphere.
  const south = lo < 0;
  const fmt = (v: number) => (south ? 'S' : 'N') + String(Math.abs(v)).padStart(2, '0');
  return `${fmt(lo)}-${fmt(hi)}`;
}

/** UTM zone label from an EPSG code, e.g. 32632 -> `32N`, 32733 -> `33S`; other codes -> `EPSG:<code>`. */
export function utmZone(epsg: number): string {
  if (epsg >= 32601 && epsg <= 32660) return `${epsg - 32600}N`;
  if (epsg >= 32701 && epsg <= 32760) return `${epsg - 32700}S`;
  return `EPSG:${epsg}`;
}

/** Sort region labels in a reading order: latitude bands south to north, zones by number then hemisphere. */
export function compareRegionLabels(a: string, b: string): number {
  const key = (s: string): number => {
    const band = /^([NS])(\d\d)-/.exec(s);
    if (band) return (band[1] === 'S' ? -1 : 1) * Number(band[2]) + (band[1] === 'S' ? -10 : 0);
    const zone = /^(\d+)([NS])$/.exec(s);
    if (zone) return Number(zone[1]) * 2 + (zone[2] === 'S' ? 1 : 0);
    return 1e6;
  };
  return key(a) - key(b) || a.localeCompare(b);
}

export interface GeoSpread {
  latBands: Record<string, number>;
  utmZones: Record<string, number>;
}

/**
 * Counts cells per latitude band and UTM zone with numeric keys (a million string labels would cost
 * seconds); labels are made once per bucket in `result()`.
 */
export class RegionCounter {
  private readonly bands = new Float64Array(18);
  private readonly zones = new Map<number, number>();
  add(lat: number, epsg: number): void {
    this.bands[Math.max(0, Math.min(17, Math.floor(lat / 10) + 9))]++;
    this.zones.set(epsg, (this.zones.get(epsg) ?? 0) + 1);
  }
  result(): GeoSpread {
    const bands = new Map<string, number>();
    this.bands.forEach((v, i) => {
      if (v > 0) bands.set(latBand((i - 9) * 10 + 5), v);
    });
    const zones = new Map<string, number>();
    for (const [epsg, v] of this.zones) {
      const z = utmZone(epsg);
      zones.set(z, (zones.get(z) ?? 0) + v);
    }
    return { latBands: sortedRecord(bands), utmZones: sortedRecord(zones) };
  }
}

/** Count cells (all, or those at `indices`) per latitude band and UTM zone. */
export function geoSpread(lat: ArrayLike<number>, epsg: ArrayLike<number>, indices?: ArrayLike<number>): GeoSpread {
  const c = new RegionCounter();
  const n = indices ? indices.length : lat.length;
  for (let j = 0; j < n; j++) {
    const i = indices ? indices[j] : j;
    c.add(lat[i], epsg[i]);
  }
  return c.result();
}

function sortedRecord(m: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...m.entries()].sort((x, y) => compareRegionLabels(x[0], y[0])));
}
