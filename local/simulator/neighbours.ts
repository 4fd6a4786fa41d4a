import type { StationInfo } from './station-list.js';

/** Each station's k nearest other stations, nearest first, flattened: row i is [i*k, (i+1)*k). */
export interface Neighbours {
  readonly k: number;
  readonly index: Int32Array;
  readonly km: Float32Array;
}

// Geometry depends only on the station list, never on the seed: models built on the same list (the
// server's, every test's) share it instead of redoing the n² pass.
const cache = new WeakMap<readonly StationInfo[], Map<number, Neighbours>>();

export function nearestNeighbours(stations: readonly StationInfo[], wanted: number): Neighbours {
  const byK = cache.get(stations) ?? new Map<number, Neighbours>();
  cache.set(stations, byK);
  const k = Math.max(1, Math.min(wanted, stations.length - 1));
  const known = byK.get(k);
  if (known) return known;
  const computed = compute(stations, k);
  byK.set(k, computed);
  return computed;
}

function compute(stations: readonly StationInfo[], k: number): Neighbours {
  const n = stations.length;
  const index = new Int32Array(n * k);
  const km = new Float32Array(n * k);
  if (n < 2) return { k: 0, index, km };
  // Project once to a local plane in km so the n² pass is two multiplies and a square root.
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const lat0 = stations.reduce((sum, s) => sum + s.lat, 0) / n;
  const kmPerLon = Math.cos((lat0 * Math.PI) / 180) * 111.32;
  stations.forEach((s, i) => {
    x[i] = s.lon * kmPerLon;
    y[i] = s.lat * 110.57;
  });
  // Metres and index packed in one number, so a native typed-array sort orders by both.
  const radix = 2 ** Math.ceil(Math.log2(n + 1));
  const keys = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    const yi = y[i] as number;
    let m = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = (x[j] as number) - xi;
      const dy = (y[j] as number) - yi;
      keys[m++] = Math.round(Math.sqrt(dx * dx + dy * dy) * 1000) * radix + j;
    }
    partitionSmallest(keys, k);
    keys.subarray(0, k).sort();
    for (let r = 0; r < k; r++) {
      const key = keys[r] as number;
      index[i * k + r] = key % radix;
      km[i * k + r] = Math.floor(key / radix) / 1000;
    }
  }
  return { k, index, km };
}

/**
 * Moves the k smallest values to the front (in any order): Hoare quickselect with a median-of-three
 * pivot, O(n) on average where sorting every station's whole distance row would be O(n log n).
 */
export function partitionSmallest(values: Float64Array, k: number): void {
  let left = 0;
  let right = values.length - 1;
  while (right > left) {
    const mid = (left + right) >> 1;
    if ((values[mid] as number) < (values[left] as number)) swap(values, mid, left);
    if ((values[right] as number) < (values[left] as number)) swap(values, right, left);
    if ((values[right] as number) < (values[mid] as number)) swap(values, right, mid);
    const pivot = values[mid] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) swap(values, i++, j--);
    }
    if (k - 1 <= j) right = j;
    else if (k - 1 >= i) left = i;
    else return;
  }
}

function swap(values: Float64Array, i: number, j: number): void {
  const t = values[i] as number;
  values[i] = values[j] as number;
  values[j] = t;
}
