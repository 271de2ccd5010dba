// Maps an item's assets to the logical band names the pipeline uses (B01..B12, B8A, B10, SCL,
// VV, VH, map). Providers name assets differently: Planetary Computer uses "B04"/"vv", Earth
// Search v1 uses common names ("red", "nir08", "scl"); a configured override wins over both.

/** Logical names looked up in every item (others may come from the override). */
export const LOGICAL_BANDS = [
  'B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12',
  'SCL', 'VV', 'VH', 'HH', 'HV', 'map',
] as const;

/** Earth Search v1 (and STAC common-name) asset keys per Sentinel-2 band. */
export const COMMON_NAME_KEYS: Record<string, string> = {
  B01: 'coastal',
  B02: 'blue',
  B03: 'green',
  B04: 'red',
  B05: 'rededge1',
  B06: 'rededge2',
  B07: 'rededge3',
  B08: 'nir',
  B8A: 'nir08',
  B09: 'nir09',
  B10: 'cirrus',
  B11: 'swir16',
  B12: 'swir22',
  SCL: 'scl',
};

/**
 * Asset key of each logical band present in `assetKeys`, in this order of preference:
 * the override, the exact key ("B04", "map"), the lower-case key ("vv", "scl"), the common name.
 * An override naming an asset that this item lacks leaves the band out (the item lacks it).
 */
export function resolveBandAssets(assetKeys: Iterable<string>, override: Record<string, string> = {}): Record<string, string> {
  const keys = new Set(assetKeys);
  const out: Record<string, string> = {};
  const names = new Set<string>([...LOGICAL_BANDS, ...Object.keys(override)]);
  for (const name of names) {
    const o = override[name];
    if (o !== undefined) {
      if (keys.has(o)) out[name] = o;
      continue;
    }
    const candidates = [name, name.toLowerCase(), COMMON_NAME_KEYS[name]];
    const hit = candidates.find((c) => c !== undefined && keys.has(c));
    if (hit) out[name] = hit;
  }
  return out;
}
