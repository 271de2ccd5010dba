// Pure checks of the demo world's design: places, tiles, dates, ids, geodesy helpers, noise, truth.
import { describe, expect, it } from 'vitest';
import { lonLatToUtm, mgrsOf, sunPosition, utmGridLonLat, utmToLonLat } from '../../src/demo/geo.js';
import { fbm, pixelGauss, valueNoise } from '../../src/demo/noise.js';
import { placeTiles, worldcoverTileName } from '../../src/demo/plan.js';
import { planDemoWorld } from '../../src/demo/generate.js';
import { sampleLand, truthClass } from '../../src/demo/truth.js';
import { BASELINE_OFFSET_FROM, baselineHasOffset, DEMO_AREA_BBOXES, DEMO_LAYOUT, DEMO_PLACES, DEMO_TIME_RANGE, placeById } from '../../src/demo/world.js';
import { StageError } from '../../src/errors.js';

const DAY = 86400000;

describe('demo places', () => {
  it('are three places in three UTM zones, one in the southern hemisphere', () => {
    expect(DEMO_PLACES.map((p) => p.id)).toEqual(['mafia-coast', 'radolfzell', 'abisko']);
    expect(new Set(DEMO_PLACES.map((p) => p.epsg)).size).toBe(3);
    expect(DEMO_PLACES.filter((p) => Math.floor(p.epsg / 100) === 327).map((p) => p.id)).toEqual(['mafia-coast']);
    expect(DEMO_AREA_BBOXES).toHaveLength(3);
  });

  it('centres agree with their UTM definition', () => {
    for (const p of DEMO_PLACES) {
      const [lon, lat] = utmToLonLat(p.epsg, p.centreUtm[0], p.centreUtm[1]);
      expect(lon).toBeCloseTo(p.centreLonLat[0], 4);
      expect(lat).toBeCloseTo(p.centreLonLat[1], 4);
    }
  });

  it('AOI lies in the central +-2560 m square and every grid cell touching it lies inside the coverage', () => {
    const cellM = 2560;
    for (const p of DEMO_PLACES) {
      const [w, s, e, n] = p.aoi;
      const [cx, cy] = p.centreUtm;
      // AOI corners inside the +-2560 square, and not much smaller than it.
      for (const [lon, lat] of [[w, s], [e, s], [e, n], [w, n]]) {
        const [x, y] = lonLatToUtm(p.epsg, lon, lat);
        expect(Math.abs(x - cx)).toBeLessThanOrEqual(DEMO_LAYOUT.aoiHalfM);
        expect(Math.abs(y - cy)).toBeLessThanOrEqual(DEMO_LAYOUT.aoiHalfM);
        expect(Math.max(Math.abs(x - cx), Math.abs(y - cy))).toBeGreaterThan(DEMO_LAYOUT.aoiHalfM - 150);
      }
      // The AOI grown by one cell (in degrees, plus 5 % for grid rotation) stays inside the coverage.
      const dLat = (cellM * 1.05) / 110574;
      const dLon = (cellM * 1.05) / (111320 * Math.cos((p.centreLonLat[1] * Math.PI) / 180));
      for (let t = 0; t <= 1; t += 0.125) {
        const lon = w - dLon + (e - w + 2 * dLon) * t;
        const lat = s - dLat + (n - s + 2 * dLat) * t;
        for (const [qx, qy] of [[lon, s - dLat], [lon, n + dLat], [w - dLon, lat], [e + dLon, lat]]) {
          const [x, y] = lonLatToUtm(p.epsg, qx, qy);
          expect(Math.abs(x - cx)).toBeLessThan(DEMO_LAYOUT.coverageHalfM);
          expect(Math.abs(y - cy)).toBeLessThan(DEMO_LAYOUT.coverageHalfM);
        }
      }
    }
  });

  it('each place has two tiles in different MGRS squares that overlap by less than one cell', () => {
    for (const p of DEMO_PLACES) {
      const [west, east] = placeTiles(p);
      expect(west.xmax - east.xmin).toBe(DEMO_LAYOUT.tileOverlapM);
      expect(DEMO_LAYOUT.tileOverlapM).toBeLessThan(2560);
      expect(west.mgrs.code).not.toBe(east.mgrs.code);
      expect(west.mgrs.code).toMatch(/^\d{1,2}[C-X][A-Z]{2}$/);
      // Edges 60 m multiples apart, so 10/20/60 m pixels of both tiles nest in one grid.
      for (const t of [west, east]) {
        for (const x of [t.xmin, t.xmax]) expect([(x - west.xmin) % 60, x % 20]).toEqual([0, 0]);
        for (const y of [t.ymin, t.ymax]) expect([(y - west.ymin) % 60, y % 20]).toEqual([0, 0]);
      }
    }
  });

  it('has three S2 dates per place in the time range, on both sides of the 04.00 baseline change', () => {
    const start = Date.parse(DEMO_TIME_RANGE.start);
    const end = Date.parse(`${DEMO_TIME_RANGE.end}T23:59:59Z`);
    const change = Date.parse(BASELINE_OFFSET_FROM);
    for (const p of DEMO_PLACES) {
      expect(p.s2).toHaveLength(3);
      for (const s of p.s2) {
        const t = Date.parse(s.datetime);
        expect(t).toBeGreaterThanOrEqual(start);
        expect(t).toBeLessThanOrEqual(end);
        expect(baselineHasOffset(s.baseline)).toBe(t >= change);
      }
      expect(p.s2.some((s) => baselineHasOffset(s.baseline))).toBe(true);
      expect(p.s2.some((s) => !baselineHasOffset(s.baseline))).toBe(true);
    }
  });

  it('has S1 scenes within 5 days of an S2 date, in both orbit directions', () => {
    const all = DEMO_PLACES.flatMap((p) => p.s1);
    expect(new Set(all.map((s) => s.orbitState))).toEqual(new Set(['ascending', 'descending']));
    for (const p of DEMO_PLACES) {
      for (const s1 of p.s1) {
        const gap = Math.min(...p.s2.map((s2) => Math.abs(Date.parse(s1.datetime) - Date.parse(s2.datetime))));
        expect(gap).toBeGreaterThan(0);
        expect(gap).toBeLessThan(5 * DAY);
      }
    }
  });

  it('includes a cloudy scene whose metadata understates its cloud cover', () => {
    const understated = DEMO_PLACES.flatMap((p) => p.s2).filter((s) => s.reportedCloudCover !== undefined && s.reportedCloudCover < s.cloud * 100);
    expect(understated.length).toBeGreaterThanOrEqual(1);
    expect(understated[0].cloud).toBeGreaterThan(0.05);
  });

  it('rejects an unknown place with a StageError naming the known ones', () => {
    expect(() => placeById('atlantis')).toThrow(StageError);
    expect(() => placeById('atlantis')).toThrow(/unknown demo place "atlantis"; expected one of mafia-coast, radolfzell, abisko/);
  });
});

describe('demo plan', () => {
  const plan = planDemoWorld();
  const byCollection = (c: string) => plan.items.filter((i) => i.collection === c);

  it('lists 18 L2A, 18 L1C, 9 S1 and 3 WorldCover items', () => {
    expect(byCollection('sentinel-2-l2a')).toHaveLength(18);
    expect(byCollection('sentinel-2-l1c')).toHaveLength(18);
    expect(byCollection('sentinel-1-rtc')).toHaveLength(9);
    expect(byCollection('esa-worldcover')).toHaveLength(3);
    expect(new Set(plan.items.map((i) => i.id)).size).toBe(plan.items.length);
  });

  it('gives L2A 12 bands + SCL + preview and L1C 13 bands, at native 10/20/60 m', () => {
    const l2a = byCollection('sentinel-2-l2a')[0];
    const l1c = byCollection('sentinel-2-l1c')[0];
    if (l2a.kind !== 's2' || l1c.kind !== 's2') throw new Error('unexpected kinds');
    expect(l2a.assets.map((a) => a.key)).toEqual([
      'coastal', 'blue', 'green', 'red', 'rededge1', 'rededge2', 'rededge3', 'nir', 'nir08', 'nir09', 'swir16', 'swir22', 'scl', 'thumbnail',
    ]);
    expect(l1c.assets.map((a) => a.key)).toContain('cirrus');
    expect(l1c.assets).toHaveLength(13);
    const res = Object.fromEntries(l2a.assets.map((a) => [a.key, a.grid.res]));
    expect(res).toMatchObject({ coastal: 60, blue: 10, red: 10, nir: 10, rededge1: 20, nir08: 20, swir16: 20, nir09: 60, scl: 20 });
    const blue = l2a.assets.find((a) => a.key === 'blue')!;
    expect([blue.grid.width, blue.grid.height]).toEqual([630, 1140]);
  });

  it('names items like Earth Search and pairs L1C/L2A of a datatake', () => {
    const l2a = byCollection('sentinel-2-l2a');
    for (const item of l2a) {
      if (item.kind !== 's2') continue;
      expect(item.id).toMatch(/^S2[AB]_\d{2}[C-X][A-Z]{2}_\d{8}_0_L2A$/);
      const l1c = plan.items.find((i) => i.id === item.l1cId);
      expect(l1c?.kind === 's2' && l1c.scene.datetime).toBe(item.scene.datetime);
    }
    const s1 = byCollection('sentinel-1-rtc')[0];
    expect(s1.id).toMatch(/^S1[AB]_IW_GRDH_1SDV_\d{8}T\d{6}_\d{8}T\d{6}_\d{6}_[0-9A-F]{6}_rtc$/);
    expect(byCollection('esa-worldcover').map((i) => i.id)).toEqual([
      'ESA_WorldCover_10m_2021_v200_S09E039',
      'ESA_WorldCover_10m_2021_v200_N45E009',
      'ESA_WorldCover_10m_2021_v200_N66E018',
    ]);
  });

  it('can plan a subset (one place, one scene)', () => {
    const sub = planDemoWorld({ places: ['radolfzell'], maxScenesPerPlace: 1 });
    expect(sub.items.map((i) => i.collection).sort()).toEqual(['esa-worldcover', 'sentinel-1-rtc', 'sentinel-2-l1c', 'sentinel-2-l1c', 'sentinel-2-l2a', 'sentinel-2-l2a']);
    expect(() => planDemoWorld({ places: ['nowhere' as 'abisko'] })).toThrow(/unknown demo place "nowhere"/);
  });
});

describe('geodesy helpers', () => {
  it('names MGRS squares as Earth Search does (20EPT, 29RKH)', () => {
    // Earth Search tiles: 20EPT origin (600000, 3300040) EPSG:32720; 29RKH origin (199980, 2800020) EPSG:32629.
    expect(mgrsOf(32720, 600000 + 50000, 3300040 - 50000).code).toBe('20EPT');
    expect(mgrsOf(32629, 199980 + 50000, 2800020 - 50000).code).toBe('29RKH');
  });

  it('puts the sun where it is at Radolfzell on 2022-07-22 10:27 UTC (late morning, high)', () => {
    const sun = sunPosition(9.0, 47.74, '2022-07-22T10:27:39Z');
    expect(sun.elevation).toBeGreaterThan(58);
    expect(sun.elevation).toBeLessThan(63);
    expect(sun.azimuth).toBeGreaterThan(140);
    expect(sun.azimuth).toBeLessThan(175);
  });

  it('interpolated grid lon/lat matches exact proj4 transforms to 1e-7 degree', () => {
    const p = DEMO_PLACES[2];
    const { lon, lat } = utmGridLonLat(p.epsg, p.centreUtm[0] - 5000, p.centreUtm[1] + 5000, 10, 500, 300);
    for (const [c, r] of [[0, 0], [499, 299], [123, 77], [250, 150], [37, 299]]) {
      const [elon, elat] = utmToLonLat(p.epsg, p.centreUtm[0] - 5000 + (c + 0.5) * 10, p.centreUtm[1] + 5000 - (r + 0.5) * 10);
      expect(Math.abs(lon[r * 500 + c] - elon)).toBeLessThan(1e-7);
      expect(Math.abs(lat[r * 500 + c] - elat)).toBeLessThan(1e-7);
    }
  });

  it('names WorldCover product tiles by their 3-degree south-west corner', () => {
    expect(worldcoverTileName(39.9, -7.85)).toBe('S09E039');
    expect(worldcoverTileName(9.0, 47.74)).toBe('N45E009');
    expect(worldcoverTileName(-0.5, 0.5)).toBe('N00W003');
  });
});

describe('noise and truth', () => {
  it('noise is deterministic, bounded and smooth', () => {
    expect(valueNoise(7, 1.25, 3.5)).toBe(valueNoise(7, 1.25, 3.5));
    expect(valueNoise(7, 1.25, 3.5)).not.toBe(valueNoise(8, 1.25, 3.5));
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < 2000; i++) {
      const v = fbm(3, i * 0.037, i * 0.011, 4);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThanOrEqual(1);
    expect(max - min).toBeGreaterThan(0.5);
    expect(Math.abs(fbm(3, 10, 10, 4) - fbm(3, 10.001, 10, 4))).toBeLessThan(0.01);
  });

  it('pixel noise is about N(0, 1)', () => {
    let s = 0;
    let s2 = 0;
    const n = 50000;
    for (let i = 0; i < n; i++) {
      const g = pixelGauss(11, i % 300, Math.floor(i / 300));
      s += g;
      s2 += g * g;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.sqrt(s2 / n - (s / n) ** 2)).toBeCloseTo(1, 1);
  });

  it('the truth function puts water where each landscape has it', () => {
    const at = (id: string, dx: number, dy: number) => {
      const p = placeById(id);
      const [lon, lat] = utmToLonLat(p.epsg, p.centreUtm[0] + dx, p.centreUtm[1] + dy);
      return truthClass(lon, lat);
    };
    expect(at('mafia-coast', 5000, 0)).toBe(80); // open ocean east of the coast
    expect(at('radolfzell', 4000, -5000)).toBe(80); // the lake in the south-east
    expect(at('abisko', 0, 5000)).toBe(80); // Tornetrask in the north
    expect(at('abisko', 0, -5000)).not.toBe(80);
  });

  it('parcels only exist on fields, and sampling is deterministic', () => {
    const p = placeById('radolfzell');
    const a = sampleLand(p, 8.99, 47.75, { cls: 0, parcel: 0 });
    const b = sampleLand(p, 8.99, 47.75, { cls: 0, parcel: 0 });
    expect(a).toEqual(b);
    let fields = 0;
    for (let i = 0; i < 400; i++) {
      const s = sampleLand(p, 8.95 + (i % 20) * 0.005, 47.72 + Math.floor(i / 20) * 0.003, { cls: 0, parcel: 0 });
      if (s.parcel !== 0) {
        fields++;
        expect([10, 20, 30, 40]).toContain(s.cls);
      }
    }
    expect(fields).toBeGreaterThan(20);
  });
});
