// UTM on WGS84: zone choice and the transverse Mercator projection, written out (Krüger series to
// order n^6, as in Karney 2011 "Transverse Mercator with an accuracy of a few nanometers") instead of
// going through proj4 per point: the global grid projects millions of cell centres and proj4's
// per-call overhead alone would cap enumeration well below 1M cells/s. Parity with proj4 is tested.

const A_WGS84 = 6378137;
const F_WGS84 = 1 / 298.257223563;
const K0 = 0.9996;
const FALSE_EASTING = 500000;
const FALSE_NORTHING_SOUTH = 10000000;

const N = F_WGS84 / (2 - F_WGS84);
const E = Math.sqrt(F_WGS84 * (2 - F_WGS84));
const N2 = N * N;
const N3 = N2 * N;
const N4 = N3 * N;
const N5 = N4 * N;
const N6 = N5 * N;
/** Rectifying radius times the UTM scale factor. */
const K0A = K0 * (A_WGS84 / (1 + N)) * (1 + N2 / 4 + N4 / 64 + N6 / 256);

const ALPHA = [
  N / 2 - (2 * N2) / 3 + (5 * N3) / 16 + (41 * N4) / 180 - (127 * N5) / 288 + (7891 * N6) / 37800,
  (13 * N2) / 48 - (3 * N3) / 5 + (557 * N4) / 1440 + (281 * N5) / 630 - (1983433 * N6) / 1935360,
  (61 * N3) / 240 - (103 * N4) / 140 + (15061 * N5) / 26880 + (167603 * N6) / 181440,
  (49561 * N4) / 161280 - (179 * N5) / 168 + (6601661 * N6) / 7257600,
  (34729 * N5) / 80640 - (3418889 * N6) / 1995840,
  (212378941 * N6) / 319334400,
];
const BETA = [
  N / 2 - (2 * N2) / 3 + (37 * N3) / 96 - N4 / 360 - (81 * N5) / 512 + (96199 * N6) / 604800,
  N2 / 48 + N3 / 15 - (437 * N4) / 1440 + (46 * N5) / 105 - (1118711 * N6) / 3870720,
  (17 * N3) / 480 - (37 * N4) / 840 - (209 * N5) / 4480 + (5569 * N6) / 90720,
  (4397 * N4) / 161280 - (11 * N5) / 504 - (830251 * N6) / 7257600,
  (4583 * N5) / 161280 - (108847 * N6) / 3991680,
  (20648693 * N6) / 638668800,
];

const DEG = Math.PI / 180;

/**
 * UTM zone number (1..60) of a point, with the Norway (32V) and Svalbard (31X/33X/35X/37X)
 * exceptions of the UTM standard, the same rule Major-TOM's `get_utm_zone_from_latlng` applies.
 */
export function utmZone(lon: number, lat: number): number {
  // Normalise so 180 falls in zone 1 like -180 does.
  let zone = (Math.floor((lon + 180) / 6) % 60) + 1;
  if (zone < 1) zone += 60;
  if (lat >= 56 && lat < 64 && lon >= 3 && lon < 12) return 32;
  if (lat >= 72 && lat < 84) {
    if (lon >= 0 && lon < 9) return 31;
    if (lon >= 9 && lon < 21) return 33;
    if (lon >= 21 && lon < 33) return 35;
    if (lon >= 33 && lon < 42) return 37;
  }
  return zone;
}

/** EPSG code of the UTM zone of a point: 326zz north of the equator (lat >= 0), 327zz south. */
export function utmEpsg(lon: number, lat: number): number {
  return (lat >= 0 ? 32600 : 32700) + utmZone(lon, lat);
}

/** Zone number and hemisphere encoded in a UTM EPSG code; throws for anything else. */
export function parseUtmEpsg(epsg: number): { zone: number; south: boolean } {
  const zone = epsg % 100;
  const base = epsg - zone;
  if ((base !== 32600 && base !== 32700) || zone < 1 || zone > 60) {
    throw new RangeError(`EPSG:${epsg} is not a WGS84 UTM zone; expected 32601..32660 or 32701..32760`);
  }
  return { zone, south: base === 32700 };
}

/** Central meridian of a UTM zone in degrees. */
export function centralMeridian(zone: number): number {
  return zone * 6 - 183;
}

/**
 * Project lon/lat (degrees) to UTM easting/northing (metres) in the given EPSG zone. Writes into
 * `out` (to avoid an allocation per point in hot loops) and returns it.
 */
export function utmForward(lon: number, lat: number, epsg: number, out: [number, number] = [0, 0]): [number, number] {
  const { zone, south } = parseUtmEpsg(epsg);
  return tmForward(lon, lat, centralMeridian(zone), south ? FALSE_NORTHING_SOUTH : 0, out);
}

/** UTM easting/northing (metres) in the given EPSG zone back to lon/lat degrees. */
export function utmInverse(x: number, y: number, epsg: number, out: [number, number] = [0, 0]): [number, number] {
  const { zone, south } = parseUtmEpsg(epsg);
  return tmInverse(x, y, centralMeridian(zone), south ? FALSE_NORTHING_SOUTH : 0, out);
}

/** Transverse Mercator forward with UTM scale and false easting; `lon0` central meridian. */
export function tmForward(lon: number, lat: number, lon0: number, falseNorthing: number, out: [number, number]): [number, number] {
  let dl = lon - lon0;
  // Bring the longitude difference into [-180, 180) so zones near the antimeridian work.
  if (dl >= 180) dl -= 360;
  else if (dl < -180) dl += 360;
  const lam = dl * DEG;
  const phi = lat * DEG;
  const sinPhi = Math.sin(phi);
  // Conformal latitude as tan(chi).
  const t = Math.sinh(Math.atanh(sinPhi) - E * Math.atanh(E * sinPhi));
  const cosLam = Math.cos(lam);
  const xiP = Math.atan2(t, cosLam);
  const etaP = Math.atanh(Math.sin(lam) / Math.sqrt(1 + t * t));
  // sin/cos(2j xi') and sinh/cosh(2j eta') by angle addition: 4 transcendental calls instead of 24.
  const s2 = Math.sin(2 * xiP);
  const c2 = Math.cos(2 * xiP);
  const sh2 = Math.sinh(2 * etaP);
  const ch2 = Math.cosh(2 * etaP);
  let s = s2;
  let c = c2;
  let sh = sh2;
  let ch = ch2;
  let xi = xiP;
  let eta = etaP;
  for (let j = 0; j < 6; j++) {
    const a = ALPHA[j];
    xi += a * s * ch;
    eta += a * c * sh;
    const sN = s * c2 + c * s2;
    const cN = c * c2 - s * s2;
    const shN = sh * ch2 + ch * sh2;
    const chN = ch * ch2 + sh * sh2;
    s = sN;
    c = cN;
    sh = shN;
    ch = chN;
  }
  out[0] = FALSE_EASTING + K0A * eta;
  out[1] = falseNorthing + K0A * xi;
  return out;
}

/** Transverse Mercator inverse (UTM scale and false easting); `lon0` central meridian. */
export function tmInverse(x: number, y: number, lon0: number, falseNorthing: number, out: [number, number]): [number, number] {
  const xi = (y - falseNorthing) / K0A;
  const eta = (x - FALSE_EASTING) / K0A;
  let xiP = xi;
  let etaP = eta;
  for (let j = 0; j < 6; j++) {
    const k = 2 * (j + 1);
    xiP -= BETA[j] * Math.sin(k * xi) * Math.cosh(k * eta);
    etaP -= BETA[j] * Math.cos(k * xi) * Math.sinh(k * eta);
  }
  const sinhEta = Math.sinh(etaP);
  const cosXi = Math.cos(xiP);
  const tauP = Math.sin(xiP) / Math.sqrt(sinhEta * sinhEta + cosXi * cosXi);
  const lam = Math.atan2(sinhEta, cosXi);
  // Conformal -> geographic latitude by Newton's method on tan (converges in 2-3 steps).
  const e2 = E * E;
  let tau = tauP;
  for (let i = 0; i < 5; i++) {
    const sqrt1tau2 = Math.sqrt(1 + tau * tau);
    const sigma = Math.sinh(E * Math.atanh((E * tau) / sqrt1tau2));
    const tauPi = tau * Math.sqrt(1 + sigma * sigma) - sigma * sqrt1tau2;
    const d = ((tauP - tauPi) / Math.sqrt(1 + tauPi * tauPi)) * ((1 + (1 - e2) * tau * tau) / ((1 - e2) * sqrt1tau2));
    tau += d;
    if (Math.abs(d) < 1e-14) break;
  }
  let lon = lon0 + lam / DEG;
  if (lon >= 180) lon -= 360;
  else if (lon < -180) lon += 360;
  out[0] = lon;
  out[1] = Math.atan(tau) / DEG;
  return out;
}
