import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BBox } from '../../model/types.js';
import { SectionIssues, strictObject, type ConfigSection } from '../section.js';

/**
 * `area:` where to build the corpus. Exactly one of:
 * - `bbox: [west, south, east, north]` (degrees) or a list of them; a box with west > east crosses the
 *   antimeridian, which must be asked for with `antimeridian: true` (else 8,45,7,46 would silently
 *   become a band around the globe);
 * - `geojson: path` to a GeoJSON Polygon/MultiPolygon, Feature or FeatureCollection (relative to the YAML);
 * - `global: true` for the whole globe.
 */
export type AreaConfig =
  | { kind: 'bbox'; bboxes: BBox[] }
  | { kind: 'geojson'; path: string; geometry: GeoJsonGeometry }
  | { kind: 'global' };

export type GeoJsonGeometry =
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] };

interface RawArea {
  bbox?: number[] | number[][];
  geojson?: string;
  global?: boolean;
  antimeridian?: boolean;
}

const bboxSchema = {
  type: 'array',
  items: { type: 'number' },
  minItems: 4,
  maxItems: 4,
  description: '[west, south, east, north] in degrees',
};

export const areaSection: ConfigSection<RawArea, AreaConfig> = {
  key: 'area',
  required: true,
  schema: strictObject(
    {
      bbox: { anyOf: [bboxSchema, { type: 'array', items: bboxSchema, minItems: 1 }], description: 'One bbox [w, s, e, n] or a list of them.' },
      geojson: { type: 'string', description: 'Path to a GeoJSON file (Polygon/MultiPolygon, Feature or FeatureCollection), relative to this file.' },
      global: { type: 'boolean', const: true, description: 'The whole globe.' },
      antimeridian: { type: 'boolean', default: false, description: 'With bbox: boxes with west > east cross the antimeridian (else west > east is an error).' },
    },
    { minProperties: 1, maxProperties: 2, description: 'Exactly one of bbox, geojson, global (and antimeridian with bbox).' },
  ),
  normalise(raw, ctx) {
    const forms = (['bbox', 'geojson', 'global'] as const).filter((k) => raw![k] !== undefined);
    if (forms.length !== 1) throw new SectionIssues([{ path: 'area', message: `has ${forms.join(', ') || 'none of them'}; expected exactly one of bbox, geojson, global` }]);
    if (raw!.antimeridian !== undefined && !raw!.bbox) throw new SectionIssues([{ path: 'area.antimeridian', message: 'only applies to bbox areas; expected it beside bbox' }]);
    if (raw!.global) return { kind: 'global' };
    if (raw!.bbox) {
      const list = (typeof raw!.bbox[0] === 'number' ? [raw!.bbox] : raw!.bbox) as number[][];
      const issues = list.flatMap((b, i) => bboxIssues(b, list.length === 1 ? 'area.bbox' : `area.bbox[${i}]`, raw!.antimeridian === true));
      if (issues.length) throw new SectionIssues(issues);
      return { kind: 'bbox', bboxes: list as BBox[] };
    }
    const path = resolve(ctx.baseDir, raw!.geojson!);
    return { kind: 'geojson', path, geometry: readGeometry(path) };
  },
};

export function bboxIssues(b: number[], path: string, antimeridian: boolean): { path: string; message: string }[] {
  const [w, s, e, n] = b;
  const out = [];
  if (w > e && !antimeridian) {
    out.push({ path, message: `west ${w} is east of east ${e}; expected west < east, or antimeridian: true (--antimeridian on the command line) for a box that crosses the antimeridian` });
  }
  if (w < -180 || w > 180 || e < -180 || e > 180) out.push({ path, message: `longitudes ${w}, ${e} out of range; expected -180..180` });
  if (s < -90 || s > 90 || n < -90 || n > 90) out.push({ path, message: `latitudes ${s}, ${n} out of range; expected -90..90` });
  if (s >= n) out.push({ path, message: `south ${s} is not below north ${n}; expected [west, south, east, north]` });
  return out;
}

function readGeometry(path: string): GeoJsonGeometry {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SectionIssues([{ path: 'area.geojson', message: `cannot read ${path}: ${(e as Error).message}; expected a GeoJSON file` }]);
  }
  const polys: number[][][][] = [];
  const visit = (g: any): void => {
    if (!g || typeof g !== 'object') return;
    if (g.type === 'FeatureCollection') g.features?.forEach((f: any) => visit(f));
    else if (g.type === 'Feature') visit(g.geometry);
    else if (g.type === 'Polygon') polys.push(g.coordinates);
    else if (g.type === 'MultiPolygon') polys.push(...g.coordinates);
    else if (g.type === 'GeometryCollection') g.geometries?.forEach((x: any) => visit(x));
  };
  visit(doc);
  if (polys.length === 0) {
    throw new SectionIssues([{ path: 'area.geojson', message: `${path} holds no Polygon or MultiPolygon; expected polygonal GeoJSON` }]);
  }
  return polys.length === 1 ? { type: 'Polygon', coordinates: polys[0] } : { type: 'MultiPolygon', coordinates: polys };
}
