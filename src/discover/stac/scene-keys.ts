// Keys that say "same acquisition" across collections and providers, derived from the item's
// own metadata. Sentinel-2: the ESA product name (s2:product_uri, sentinel:product_id or a PC
// style id) carries platform, level, datatake sensing start and MGRS tile; these do not change
// between Earth Search sentinel-2-l2a, sentinel-2-c1-l2a and Planetary Computer, while item ids
// and the item `datetime` do (Earth Search uses tile sensing time, PC the datatake start).
// Sentinel-1: the product name carries platform, mode, start time and absolute orbit.
//
//   sceneKey    = same product content:  S2B_MSIL2A_20250731T130249_T24MVV, S1A_IW_GRDH_20250731T135702_060328[_RTC]
//   datatakeKey = same acquisition, any level:  S2B_20250731T130249_T24MVV, S1A_IW_20250731T135702_060328

export interface SceneKeys {
  sceneKey: string;
  datatakeKey?: string;
  /** "04.00" style, when the metadata or product name says. */
  processingBaseline?: string;
}

const S2_PRODUCT = /^(S2[A-D])_MSI(L1C|L2A)_(\d{8}T\d{6})_(?:N(\d{2})(\d{2})_)?R\d{3}_T(\d{2}[A-Z]{3})(?:_|\.|$)/;
const S2_DATATAKE = /^GS(2[A-D])_(\d{8}T\d{6})_/;
const S1_PRODUCT = /^(S1[A-D])_(IW|EW|SM|WV|S[1-6])_(GRD[HMF]|SLC_|RAW_|OCN_)_[0-9][A-Z]{3}_(\d{8}T\d{6})_\d{8}T\d{6}_(\d{6})_[0-9A-F]{6}/;

type Props = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** "sentinel-2b" / "Sentinel-2B" / "SENTINEL-1A" -> "S2B" / "S1A". */
function platformCode(platform: unknown): string | undefined {
  const m = /^sentinel-?([12])([a-d])$/i.exec(String(platform ?? '').trim());
  return m ? `S${m[1]}${m[2]!.toUpperCase()}` : undefined;
}

function mgrsTile(p: Props): string | undefined {
  const t = str(p['s2:mgrs_tile']);
  if (t) return t.replace(/^T/, '');
  const zone = p['mgrs:utm_zone'] ?? p['sentinel:utm_zone'];
  const band = p['mgrs:latitude_band'] ?? p['sentinel:latitude_band'];
  const square = p['mgrs:grid_square'] ?? p['sentinel:grid_square'];
  if (zone !== undefined && band && square) return `${String(zone).padStart(2, '0')}${String(band)}${String(square)}`;
  return undefined;
}

function compactSecond(iso: unknown): string | undefined {
  const t = typeof iso === 'string' ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return undefined;
  return new Date(t).toISOString().slice(0, 19).replace(/[-:]/g, '');
}

function s2Level(collection: string, p: Props): 'L1C' | 'L2A' {
  const type = str(p['s2:product_type']) ?? '';
  if (/1C/i.test(type) || /l1c/i.test(collection)) return 'L1C';
  return 'L2A';
}

export function deriveSceneKeys(id: string, collection: string, p: Props): SceneKeys {
  const baselineProp = str(p['s2:processing_baseline']) ?? str(p['sentinel:processing_baseline']);
  const productName = str(p['s2:product_uri']) ?? str(p['sentinel:product_id']) ?? id;
  const s2 = S2_PRODUCT.exec(productName) ?? S2_PRODUCT.exec(id);
  if (s2) {
    const [, plat, level, sensing, bMajor, bMinor, tile] = s2;
    const baseline = baselineProp ?? (bMajor ? `${bMajor}.${bMinor}` : undefined);
    return {
      sceneKey: `${plat}_MSI${level}_${sensing}_T${tile}`,
      datatakeKey: `${plat}_${sensing}_T${tile}`,
      ...(baseline ? { processingBaseline: baseline } : {}),
    };
  }
  const plat = platformCode(p.platform);
  const tile = mgrsTile(p);
  if (plat?.startsWith('S2') && tile) {
    // No product name: use the datatake sensing start, else the item datetime to the second.
    const dt = S2_DATATAKE.exec(str(p['s2:datatake_id']) ?? '');
    const sensing = dt ? dt[2]! : compactSecond(p.datetime);
    if (sensing) {
      const level = s2Level(collection, p);
      return {
        sceneKey: `${plat}_MSI${level}_${sensing}_T${tile}`,
        datatakeKey: `${plat}_${sensing}_T${tile}`,
        ...(baselineProp ? { processingBaseline: baselineProp } : {}),
      };
    }
  }
  const s1 = S1_PRODUCT.exec(id) ?? S1_PRODUCT.exec(str(p['s1:product_identifier']) ?? '');
  if (s1) {
    const [, plat1, mode, type, start, orbit] = s1;
    const rtc = /rtc/i.test(collection) || /_rtc$/i.test(id);
    const acquisition = `${plat1}_${mode}_${start}_${orbit}`;
    return { sceneKey: `${plat1}_${mode}_${type}_${start}_${orbit}${rtc ? '_RTC' : ''}`, datatakeKey: acquisition };
  }
  // Anything else (land cover tiles, Landsat, demo items): the id is the identity.
  return { sceneKey: id };
}
