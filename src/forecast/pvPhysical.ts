/**
 * A physical PV model: the sun's position, the irradiance on the tilted array from global
 * horizontal irradiance, temperature derating, scaled to the system's size.
 *
 * - Sun position: the NOAA solar calculator's equations (after Meeus, "Astronomical Algorithms"):
 *   declination and equation of time from the Julian century, then hour angle, zenith and azimuth;
 *   within 0.05 degrees of NREL's SPA for the years we forecast (tested on SPA's own example).
 * - Beam and diffuse: the Erbs, Klein & Duffie (1982) correlation of the diffuse fraction with the
 *   clearness index kt = GHI / (extraterrestrial normal irradiance x cos zenith).
 * - Plane of array: the isotropic sky model (Liu & Jordan 1963): beam x cos(incidence) / cos(zenith)
 *   + diffuse x (1 + cos tilt) / 2 + GHI x albedo x (1 - cos tilt) / 2.
 * - Cells heat with the irradiance (NOCT model: T_cell = T_air + (NOCT - 20) / 800 x POA) and
 *   lose 0.4 %/K above 25 °C; output = kWp x POA / 1000 x derating x system losses.
 */
import { MS_PER_DAY } from "../core/time.js";

const RAD = Math.PI / 180;
const SOLAR_CONSTANT = 1361;

export interface SunPosition {
  /** Degrees from the vertical. */
  readonly zenith: number;
  /** Degrees clockwise from north. */
  readonly azimuth: number;
  /** Extraterrestrial normal irradiance, W/m². */
  readonly extraterrestrial: number;
}

/** The sun at an instant (ms UTC) seen from latitude and longitude (degrees, east positive). */
export function sunPosition(ms: number, latitude: number, longitude: number): SunPosition {
  const jd = ms / MS_PER_DAY + 2_440_587.5;
  const t = (jd - 2_451_545) / 36_525;
  const l0 = (280.46646 + t * (36000.76983 + t * 0.0003032)) % 360;
  const m = 357.52911 + t * (35999.05029 - 0.0001537 * t);
  const e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  const c =
    Math.sin(m * RAD) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
    Math.sin(2 * m * RAD) * (0.019993 - 0.000101 * t) +
    Math.sin(3 * m * RAD) * 0.000289;
  const trueLong = l0 + c;
  const omega = 125.04 - 1934.136 * t;
  const lambda = trueLong - 0.00569 - 0.00478 * Math.sin(omega * RAD);
  const eps0 = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60;
  const eps = eps0 + 0.00256 * Math.cos(omega * RAD);
  const decl = Math.asin(Math.sin(eps * RAD) * Math.sin(lambda * RAD));
  const y = Math.tan((eps / 2) * RAD) ** 2;
  const eqTime =
    (4 / RAD) *
    (y * Math.sin(2 * l0 * RAD) -
      2 * e * Math.sin(m * RAD) +
      4 * e * y * Math.sin(m * RAD) * Math.cos(2 * l0 * RAD) -
      0.5 * y * y * Math.sin(4 * l0 * RAD) -
      1.25 * e * e * Math.sin(2 * m * RAD));
  const minutes = (((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / 60_000;
  const trueSolarTime = (((minutes + eqTime + 4 * longitude) % 1440) + 1440) % 1440;
  const hourAngle = trueSolarTime / 4 - 180;
  const lat = latitude * RAD;
  const cosZ =
    Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle * RAD);
  const zenith = Math.acos(Math.max(-1, Math.min(1, cosZ)));
  const sinZ = Math.sin(zenith);
  let azimuth: number;
  if (sinZ < 1e-9) azimuth = 180;
  else {
    const cosAz = (Math.sin(lat) * Math.cos(zenith) - Math.sin(decl)) / (Math.cos(lat) * sinZ);
    const a = Math.acos(Math.max(-1, Math.min(1, cosAz))) / RAD;
    azimuth = hourAngle > 0 ? (a + 180) % 360 : (540 - a) % 360;
  }
  const dayAngle = (2 * Math.PI * ((jd - 2_451_544.5) % 365.25)) / 365.25;
  return {
    zenith: zenith / RAD,
    azimuth,
    extraterrestrial: SOLAR_CONSTANT * (1 + 0.033 * Math.cos(dayAngle)),
  };
}

/** The diffuse share of global horizontal irradiance from the clearness index (Erbs et al. 1982). */
export function diffuseFraction(kt: number): number {
  if (kt <= 0.22) return 1 - 0.09 * kt;
  if (kt <= 0.8)
    return 0.9511 - 0.1604 * kt + 4.388 * kt ** 2 - 16.638 * kt ** 3 + 12.336 * kt ** 4;
  return 0.165;
}

export interface ArraySite {
  readonly latitude: number;
  readonly longitude: number;
  /** Degrees from horizontal. */
  readonly tilt: number;
  /** Degrees clockwise from north the array faces (180: south). */
  readonly azimuth: number;
  readonly albedo?: number;
}

/** Irradiance on the array's plane, W/m², from GHI (W/m²) with the sun at `sun`. */
export function planeOfArray(ghi: number, sun: SunPosition, site: ArraySite): number {
  const cosZ = Math.cos(sun.zenith * RAD);
  if (ghi <= 0 || cosZ <= 0.01) return 0;
  const kt = Math.min(1, ghi / (sun.extraterrestrial * cosZ));
  const dhi = ghi * diffuseFraction(kt);
  const beamHorizontal = ghi - dhi;
  const tilt = site.tilt * RAD;
  const cosInc =
    cosZ * Math.cos(tilt) +
    Math.sin(sun.zenith * RAD) * Math.sin(tilt) * Math.cos((sun.azimuth - site.azimuth) * RAD);
  const beam = (beamHorizontal * Math.max(0, cosInc)) / cosZ;
  const sky = (dhi * (1 + Math.cos(tilt))) / 2;
  const ground = (ghi * (site.albedo ?? 0.2) * (1 - Math.cos(tilt))) / 2;
  return beam + sky + ground;
}

/** AC output, kW, of `kwp` of PV at plane-of-array irradiance `poa` in air at `airC`. */
export function pvOutput(poa: number, airC: number, kwp: number, losses = 0.14): number {
  const cell = airC + ((45 - 20) / 800) * poa;
  return Math.max(0, kwp * (poa / 1000) * (1 - 0.004 * (cell - 25)) * (1 - losses));
}
