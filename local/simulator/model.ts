import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { SIMULATION } from './defaults.js';
import { commutePhase, inRebalancingWindow, tripsPerMinute, type CommutePhase } from './demand.js';
import { nearestNeighbours } from './neighbours.js';
import { parisClock } from './paris-time.js';
import type { StationInfo } from './station-list.js';

export interface ModelOptions {
  readonly stations: readonly StationInfo[];
  /** Same seed and start give the same states, tick for tick. */
  readonly seed: number;
  /** Simulated time of the initial state; whole seconds are kept. */
  readonly start: Date | number;
}

/** One station's state as a feed reports it. */
export interface StationState {
  readonly mechanical: number;
  readonly ebike: number;
  readonly docks: number;
  readonly installed: boolean;
  readonly renting: boolean;
  readonly returning: boolean;
  /** Epoch seconds; frozen while the station does not report. */
  readonly lastReported: number;
}

export interface ModelTotals {
  /** Bikes at stations, as the feed counts them (silent and closed stations included). */
  readonly docked: number;
  readonly inTransit: number;
  /** Bikes out for repair; only the nightly rebalancing moves bikes in and out of the workshop. */
  readonly inWorkshop: number;
  /** docked + inTransit + inWorkshop: constant for the model's whole life. */
  readonly fleet: number;
}

export interface ModelCounters {
  readonly tripsStarted: number;
  readonly tripsEnded: number;
  /** Riders who found their station empty. */
  readonly unmetDemand: number;
  /** Riders who found their destination full or closed and rode on. */
  readonly redirects: number;
  readonly rebalancedBikes: number;
}

const TICK = SIMULATION.tickSeconds;
const MECHANICAL = 0;
const EBIKE = 1;
const PHASES: readonly CommutePhase[] = ['none', 'morning', 'evening'];

/**
 * A deterministic, steppable model of the Vélib' network: riders take bikes where demand is, ride
 * them to nearby stations (bikes in transit are tracked until they dock), commuters flow into the
 * centre in the morning and out in the evening, trucks rebalance at night, and stations show the
 * real feed's quirks (silent, closed, uninstalled, capacity 0, over capacity, broken docks).
 *
 * Time advances in fixed ticks from `start`, so the state at a time depends only on seed, start and
 * that time, never on how often `advanceTo` was called. No clock, no I/O, no Math.random.
 */
export class VelibModel {
  readonly stations: readonly StationInfo[];
  readonly startMs: number;
  private readonly n: number;
  private readonly random: () => number;
  private tick = 0;

  private readonly mechanical: Int32Array;
  private readonly ebike: Int32Array;
  /** Bikes a station can hold: capacity + overflow (Park+) − broken docks. */
  private readonly maxBikes: Int32Array;
  private readonly installed: Uint8Array;
  private readonly renting: Uint8Array;
  private readonly returning: Uint8Array;
  private readonly lastReported: Float64Array;
  private readonly heartbeatSeconds: Float64Array;
  private readonly nextHeartbeat: Float64Array;
  /** 0: reporting; an epoch second: silent until then; Infinity: stopped for good. */
  private readonly silentUntil: Float64Array;
  /** 0: open (or permanently closed, see `renting`); an epoch second: closed for works until then. */
  private readonly closedUntil: Float64Array;
  private readonly centrality: Float64Array;
  /** Per commute phase, origin and destination weights in [0, 1] for rejection sampling. */
  private readonly originWeight: Record<CommutePhase, Float64Array>;
  private readonly destinationBias: Record<CommutePhase, Float64Array>;
  private readonly popularity: Float64Array;
  private readonly neighbours: Int32Array;
  private readonly neighbourKm: Float32Array;
  private readonly neighbourCumulative: Float64Array;
  private readonly k: number;

  /** Bikes in transit, keyed by the tick they arrive: packed `station * 2 + type`. */
  private readonly transit = new Map<number, number[]>();
  private inTransit = 0;
  private readonly workshop = new Int32Array(2);
  private readonly counters = {
    tripsStarted: 0,
    tripsEnded: 0,
    unmetDemand: 0,
    redirects: 0,
    rebalancedBikes: 0,
  };

  constructor(options: ModelOptions) {
    const startMs = typeof options.start === 'number' ? options.start : options.start.getTime();
    if (!Number.isFinite(startMs)) throw new TypeError('start: not a valid time');
    if (!Number.isSafeInteger(options.seed)) throw new TypeError('seed: must be an integer');
    if (options.stations.length === 0) throw new TypeError('stations: the list is empty');
    this.stations = options.stations;
    this.startMs = Math.floor(startMs / 1000) * 1000;
    const n = (this.n = options.stations.length);
    const rng = xoroshiro128plus(options.seed | 0);
    this.random = () => (rng.next() >>> 0) / 4294967296;

    this.mechanical = new Int32Array(n);
    this.ebike = new Int32Array(n);
    this.maxBikes = new Int32Array(n);
    this.installed = new Uint8Array(n).fill(1);
    this.renting = new Uint8Array(n).fill(1);
    this.returning = new Uint8Array(n).fill(1);
    this.lastReported = new Float64Array(n);
    this.heartbeatSeconds = new Float64Array(n);
    this.nextHeartbeat = new Float64Array(n);
    this.silentUntil = new Float64Array(n);
    this.closedUntil = new Float64Array(n);
    this.centrality = new Float64Array(n);
    this.popularity = new Float64Array(n);

    this.initStations();
    const geometry = nearestNeighbours(options.stations, SIMULATION.neighbours);
    this.k = geometry.k;
    this.neighbours = geometry.index;
    this.neighbourKm = geometry.km;
    this.neighbourCumulative = new Float64Array(n * this.k);
    this.initNeighbours();
    this.originWeight = {
      none: new Float64Array(n),
      morning: new Float64Array(n),
      evening: new Float64Array(n),
    };
    this.destinationBias = {
      none: new Float64Array(n),
      morning: new Float64Array(n),
      evening: new Float64Array(n),
    };
    this.initWeights();
    this.initFleet();
  }

  /** Simulated time of the current state (epoch ms, a whole tick after start). */
  get timeMs(): number {
    return this.startMs + this.tick * TICK * 1000;
  }

  get stationCount(): number {
    return this.n;
  }

  /** Moves the state forward through every whole tick up to `time`. Time never goes back. */
  advanceTo(time: Date | number): void {
    const ms = typeof time === 'number' ? time : time.getTime();
    if (!Number.isFinite(ms)) throw new TypeError('advanceTo: not a valid time');
    if (ms < this.timeMs) {
      throw new RangeError(
        `advanceTo: ${new Date(ms).toISOString()} is before the model's time ${new Date(this.timeMs).toISOString()}`,
      );
    }
    const target = Math.floor((ms - this.startMs) / (TICK * 1000));
    while (this.tick < target) this.step();
  }

  stateOf(index: number): StationState {
    const mechanical = this.mechanical[index] ?? 0;
    const ebike = this.ebike[index] ?? 0;
    const installed = this.installed[index] === 1;
    return {
      mechanical,
      ebike,
      docks: installed ? Math.max(0, (this.maxBikes[index] ?? 0) - mechanical - ebike) : 0,
      installed,
      renting: this.renting[index] === 1,
      returning: this.returning[index] === 1,
      lastReported: this.lastReported[index] ?? 0,
    };
  }

  totals(): ModelTotals {
    let docked = 0;
    for (let i = 0; i < this.n; i++)
      docked += (this.mechanical[i] as number) + (this.ebike[i] as number);
    const inWorkshop = (this.workshop[0] as number) + (this.workshop[1] as number);
    return {
      docked,
      inTransit: this.inTransit,
      inWorkshop,
      fleet: docked + this.inTransit + inWorkshop,
    };
  }

  stats(): ModelCounters {
    return { ...this.counters };
  }

  // ---------------------------------------------------------------- set-up

  private initStations(): void {
    const startS = this.startMs / 1000;
    const { centre } = SIMULATION;
    for (let i = 0; i < this.n; i++) {
      const station = this.stations[i] as StationInfo;
      const capacity = station.capacity;
      let overflow = 0;
      let broken = 0;
      if (capacity > 0 && this.random() < SIMULATION.overCapacityShare) {
        overflow = Math.max(3, Math.round(capacity * (0.1 + 0.5 * this.random())));
      } else if (capacity > 0 && this.random() < SIMULATION.brokenDocksShare) {
        broken = 1 + this.int(Math.max(1, Math.min(5, Math.floor(capacity / 4))));
      }
      this.maxBikes[i] = capacity === 0 ? 0 : Math.max(0, capacity + overflow - broken);
      this.centrality[i] = Math.exp(-distanceKm(station, centre) / SIMULATION.centralityKm);
      const z = (this.random() + this.random() + this.random() - 1.5) * 2;
      this.popularity[i] = capacity === 0 ? 0 : Math.min(3, Math.max(0.3, Math.exp(0.5 * z)));

      const [minBeat, maxBeat] = SIMULATION.heartbeatMinutes;
      this.heartbeatSeconds[i] = Math.round((minBeat + (maxBeat - minBeat) * this.random()) * 60);
      this.lastReported[i] = startS - this.int(this.heartbeatSeconds[i] as number);
      this.nextHeartbeat[i] =
        (this.lastReported[i] as number) + (this.heartbeatSeconds[i] as number);

      const quirk = this.random();
      if (capacity === 0) {
        // As in the real feed: never renting or returning, some not even installed.
        this.renting[i] = 0;
        this.returning[i] = 0;
        this.installed[i] = this.random() < 0.7 ? 1 : 0;
      } else if (quirk < SIMULATION.uninstalledShare) {
        this.installed[i] = 0;
        this.renting[i] = 0;
        this.returning[i] = 0;
      } else if (quirk < SIMULATION.uninstalledShare + SIMULATION.closedShare) {
        this.renting[i] = 0;
        this.returning[i] = 0;
        this.closedUntil[i] = 0;
      } else if (
        quirk <
        SIMULATION.uninstalledShare + SIMULATION.closedShare + SIMULATION.silentShare
      ) {
        // Stopped reporting: last_reported stays days to years in the past, counts stay frozen.
        this.silentUntil[i] = Infinity;
        const ageDays = Math.exp(Math.log(2000) * this.random());
        const floor = Math.min(SIMULATION.oldestReport, startS - 86_400);
        this.lastReported[i] = Math.max(floor, Math.round(startS - 86_400 - ageDays * 86_400));
      }
    }
  }

  private initNeighbours(): void {
    let cumulative = 0;
    for (let i = 0; i < this.n * this.k; i++) {
      if (i % this.k === 0) cumulative = 0;
      const j = this.neighbours[i] as number;
      const km = this.neighbourKm[i] as number;
      cumulative += (this.popularity[j] as number) * Math.exp(-km / SIMULATION.tripKernelKm);
      this.neighbourCumulative[i] = cumulative;
    }
  }

  private initWeights(): void {
    const b = SIMULATION.commuteBias;
    for (const phase of PHASES) {
      const origin = this.originWeight[phase];
      const destination = this.destinationBias[phase];
      for (let i = 0; i < this.n; i++) {
        const c = this.centrality[i] as number;
        const intoCentre = 1 + b * c;
        const outOfCentre = 1 + b * (1 - c);
        origin[i] =
          (this.popularity[i] as number) *
          (phase === 'morning' ? outOfCentre : phase === 'evening' ? intoCentre : 1);
        destination[i] = phase === 'morning' ? intoCentre : phase === 'evening' ? outOfCentre : 1;
      }
      normaliseToMax(origin);
      normaliseToMax(destination);
    }
  }

  private initFleet(): void {
    let capacity = 0;
    for (let i = 0; i < this.n; i++) capacity += this.maxBikes[i] as number;
    for (let i = 0; i < this.n; i++) {
      const max = this.maxBikes[i] as number;
      if (max === 0 || this.installed[i] === 0) continue;
      // Some stations empty, some full, most in between: the real feed's spread.
      const shape = this.random();
      const fill =
        shape < 0.03
          ? 0.05 * this.random()
          : shape < 0.08
            ? 0.9 + 0.1 * this.random()
            : ((this.random() + this.random()) / 2) * 0.8;
      const closed = this.renting[i] === 0;
      const bikes = closed ? this.int(2) : Math.min(max, Math.round(fill * max));
      for (let b = 0; b < bikes; b++) {
        if (this.random() < SIMULATION.ebikeShare) this.ebike[i] = (this.ebike[i] as number) + 1;
        else this.mechanical[i] = (this.mechanical[i] as number) + 1;
      }
    }
    const workshop = Math.round(capacity * SIMULATION.initialFill * SIMULATION.workshopShare);
    this.workshop[EBIKE] = Math.round(workshop * SIMULATION.ebikeShare);
    this.workshop[MECHANICAL] = workshop - (this.workshop[EBIKE] as number);

    // Riders already on the road at start, each somewhere along their trip.
    const clock = parisClock(this.startMs);
    const phase = commutePhase(clock);
    const riding = Math.round(tripsPerMinute(clock) * 14);
    for (let t = 0; t < riding; t++) {
      const origin = this.sampleOrigin(phase);
      if (origin < 0 || this.bikesAt(origin) === 0) continue;
      const type = this.takeBike(origin);
      const destination = this.sampleDestination(origin, phase);
      const ticks = this.tripTicks(origin, destination, type);
      this.schedule(1 + this.int(ticks), destination, type);
    }
  }

  // ---------------------------------------------------------------- one tick

  private step(): void {
    const tick = this.tick + 1;
    const nowMs = this.startMs + tick * TICK * 1000;
    const nowS = nowMs / 1000;
    const clock = parisClock(nowMs);
    this.tick = tick;
    this.updateStations(nowS);
    this.startOutages(nowS);
    this.arrive(tick, nowS);
    this.depart(tick, nowS, commutePhase(clock), tripsPerMinute(clock));
    this.rebalance(nowS, inRebalancingWindow(clock));
  }

  private updateStations(nowS: number): void {
    for (let i = 0; i < this.n; i++) {
      const silent = this.silentUntil[i] as number;
      if (silent !== 0) {
        if (silent > nowS) continue;
        this.silentUntil[i] = 0;
        this.report(i, nowS);
      }
      const closed = this.closedUntil[i] as number;
      if (closed !== 0 && closed <= nowS) {
        this.closedUntil[i] = 0;
        this.renting[i] = 1;
        this.returning[i] = 1;
        this.report(i, nowS);
      }
      if ((this.nextHeartbeat[i] as number) <= nowS) this.report(i, nowS);
    }
  }

  private startOutages(nowS: number): void {
    const ticksPer = (minutes: number) => (minutes * 60) / TICK;
    const { transientSilence: silence, transientClosure: closure } = SIMULATION;
    if (this.random() < (silence.share * this.n) / ticksPer(silence.minutes)) {
      const i = this.int(this.n);
      if (this.silentUntil[i] === 0 && this.installed[i] === 1 && this.maxBikes[i] !== 0) {
        this.silentUntil[i] = nowS + this.outageSeconds(silence.minutes);
      }
    }
    if (this.random() < (closure.share * this.n) / ticksPer(closure.minutes)) {
      const i = this.int(this.n);
      if (this.canRent(i) && this.returning[i] === 1) {
        this.renting[i] = 0;
        this.returning[i] = 0;
        this.closedUntil[i] = nowS + this.outageSeconds(closure.minutes);
        this.report(i, nowS);
      }
    }
  }

  private arrive(tick: number, nowS: number): void {
    const arriving = this.transit.get(tick);
    if (!arriving) return;
    this.transit.delete(tick);
    for (const packed of arriving) {
      this.inTransit -= 1;
      const station = packed >> 1;
      const type = packed & 1;
      if (this.hasRoom(station)) {
        this.dock(station, type, nowS);
        this.counters.tripsEnded += 1;
        continue;
      }
      // Full or closed: ride on to the nearest station with a free dock, or wait and retry.
      this.counters.redirects += 1;
      const base = station * this.k;
      let next = -1;
      for (let r = 0; r < this.k; r++) {
        const candidate = this.neighbours[base + r] as number;
        if (this.hasRoom(candidate)) {
          next = r;
          break;
        }
      }
      if (next < 0) {
        this.schedule(tick + Math.ceil((SIMULATION.retryMinutes * 60) / TICK), station, type);
      } else {
        const km = this.neighbourKm[base + next] as number;
        this.schedule(
          tick + this.rideTicks(km, type, 0),
          this.neighbours[base + next] as number,
          type,
        );
      }
    }
  }

  private depart(tick: number, nowS: number, phase: CommutePhase, perMinute: number): void {
    const starts = this.poisson((perMinute * TICK) / 60);
    for (let t = 0; t < starts; t++) {
      const origin = this.sampleOrigin(phase);
      if (origin < 0) continue;
      if (this.bikesAt(origin) === 0) {
        this.counters.unmetDemand += 1;
        continue;
      }
      const type = this.takeBike(origin);
      this.report(origin, nowS);
      this.counters.tripsStarted += 1;
      const destination = this.sampleDestination(origin, phase);
      this.schedule(tick + this.tripTicks(origin, destination, type), destination, type);
    }
  }

  /** Trucks work day and night (more at night); the workshop only at night. */
  private rebalance(nowS: number, night: boolean): void {
    const { truckVisitMinutes, truckLoad, fullFill, emptyFill } = SIMULATION;
    const trucks = night ? SIMULATION.trucks : SIMULATION.dayTrucks;
    for (let visits = (trucks * TICK) / (truckVisitMinutes * 60); visits > 0; visits -= 1) {
      if (this.random() >= Math.min(1, visits)) continue;
      const source = this.findStation((i) => this.canRent(i) && this.fill(i) >= fullFill);
      const sink = this.findStation((i) => this.canReturn(i) && this.fill(i) <= emptyFill);
      if (source < 0 || sink < 0) continue;
      const move = Math.min(
        truckLoad,
        this.bikesAt(source) - Math.floor((this.maxBikes[source] as number) / 2),
        Math.floor((this.maxBikes[sink] as number) / 2) - this.bikesAt(sink),
      );
      for (let b = 0; b < move; b++) this.dock(sink, this.takeBike(source), nowS);
      if (move > 0) {
        this.counters.rebalancedBikes += move;
        this.report(source, nowS);
      }
    }
    if (!night) return;
    // The workshop collects a few broken bikes and brings repaired ones back.
    if (this.random() < SIMULATION.workshopMovesPerTick) {
      const station = this.findStation((i) => this.canRent(i) && this.bikesAt(i) > 0);
      for (let b = 1 + this.int(3); station >= 0 && b > 0 && this.bikesAt(station) > 0; b--) {
        const type = this.takeBike(station);
        this.workshop[type] = (this.workshop[type] as number) + 1;
        this.report(station, nowS);
      }
    }
    if (this.random() < SIMULATION.workshopMovesPerTick) {
      const station = this.findStation((i) => this.hasRoom(i));
      for (let b = 1 + this.int(3); station >= 0 && b > 0 && this.hasRoom(station); b--) {
        const type =
          (this.workshop[EBIKE] as number) > 0 && this.random() < 0.5 ? EBIKE : MECHANICAL;
        if ((this.workshop[type] as number) === 0) break;
        this.workshop[type] = (this.workshop[type] as number) - 1;
        this.dock(station, type, nowS);
      }
    }
  }

  // ---------------------------------------------------------------- sampling

  /** A station where a rider wants a bike now (it may be empty), or -1. Rejection sampling. */
  private sampleOrigin(phase: CommutePhase): number {
    const weights = this.originWeight[phase];
    for (let tries = 0; tries < 64; tries++) {
      const i = this.int(this.n);
      if (this.canRent(i) && this.random() < (weights[i] as number)) return i;
    }
    return -1;
  }

  /** Mostly a nearby station (distance kernel × popularity), sometimes anywhere; commute-biased. */
  private sampleDestination(origin: number, phase: CommutePhase): number {
    if (this.k === 0) return origin;
    const bias = this.destinationBias[phase];
    if (this.random() < SIMULATION.longTripShare) {
      for (let tries = 0; tries < 64; tries++) {
        const j = this.int(this.n);
        if (
          j !== origin &&
          this.random() < ((this.popularity[j] as number) / 3) * (bias[j] as number)
        ) {
          return j;
        }
      }
    }
    const base = origin * this.k;
    const total = this.neighbourCumulative[base + this.k - 1] as number;
    for (let tries = 0; tries < 32; tries++) {
      const target = this.random() * total;
      let low = 0;
      let high = this.k - 1;
      while (low < high) {
        const mid = (low + high) >> 1;
        if ((this.neighbourCumulative[base + mid] as number) <= target) low = mid + 1;
        else high = mid;
      }
      const j = this.neighbours[base + low] as number;
      if (this.random() < (bias[j] as number)) return j;
    }
    return this.neighbours[base] as number;
  }

  private tripTicks(origin: number, destination: number, type: number): number {
    const a = this.stations[origin] as StationInfo;
    const b = this.stations[destination] as StationInfo;
    return this.rideTicks(distanceKm(a, b), type, SIMULATION.tripOverheadMinutes);
  }

  private rideTicks(km: number, type: number, overheadMinutes: number): number {
    const speed = type === EBIKE ? SIMULATION.speedKmh.ebike : SIMULATION.speedKmh.mechanical;
    const noise = 0.8 + 0.4 * this.random();
    const minutes = Math.max(
      overheadMinutes > 0 ? SIMULATION.minTripMinutes : 0,
      ((km * SIMULATION.detour) / speed) * 60 * noise + overheadMinutes,
    );
    return Math.max(1, Math.ceil((minutes * 60) / TICK));
  }

  private outageSeconds(meanMinutes: number): number {
    return Math.max(600, Math.round(-Math.log(1 - this.random()) * meanMinutes * 60));
  }

  private poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 40) {
      // Normal approximation: exact enough at these rates and keeps a tick O(trips).
      const u = 1 - this.random();
      const v = this.random();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
    }
    const limit = Math.exp(-mean);
    let count = 0;
    for (let p = this.random(); p > limit; p *= this.random()) count += 1;
    return count;
  }

  private findStation(accept: (i: number) => boolean): number {
    for (let tries = 0; tries < 100; tries++) {
      const i = this.int(this.n);
      if (accept(i)) return i;
    }
    return -1;
  }

  // ---------------------------------------------------------------- station helpers

  private canRent(i: number): boolean {
    return this.renting[i] === 1 && this.silentUntil[i] === 0 && this.installed[i] === 1;
  }

  private canReturn(i: number): boolean {
    return this.returning[i] === 1 && this.silentUntil[i] === 0 && this.installed[i] === 1;
  }

  private hasRoom(i: number): boolean {
    return this.canReturn(i) && this.bikesAt(i) < (this.maxBikes[i] as number);
  }

  private bikesAt(i: number): number {
    return (this.mechanical[i] as number) + (this.ebike[i] as number);
  }

  private fill(i: number): number {
    const max = this.maxBikes[i] as number;
    return max === 0 ? 0 : this.bikesAt(i) / max;
  }

  /** Removes one bike from a station that has one; riders prefer e-bikes. */
  private takeBike(i: number): number {
    const mechanical = this.mechanical[i] as number;
    const ebike = (this.ebike[i] as number) * SIMULATION.ebikePreference;
    const type =
      mechanical === 0
        ? EBIKE
        : ebike === 0
          ? MECHANICAL
          : this.random() * (mechanical + ebike) < ebike
            ? EBIKE
            : MECHANICAL;
    if (type === EBIKE) this.ebike[i] = (this.ebike[i] as number) - 1;
    else this.mechanical[i] = (this.mechanical[i] as number) - 1;
    return type;
  }

  private dock(i: number, type: number, nowS: number): void {
    if (type === EBIKE) this.ebike[i] = (this.ebike[i] as number) + 1;
    else this.mechanical[i] = (this.mechanical[i] as number) + 1;
    this.report(i, nowS);
  }

  private schedule(tick: number, station: number, type: number): void {
    const packed = station * 2 + type;
    const bucket = this.transit.get(tick);
    if (bucket) bucket.push(packed);
    else this.transit.set(tick, [packed]);
    this.inTransit += 1;
  }

  private report(i: number, nowS: number): void {
    this.lastReported[i] = nowS;
    this.nextHeartbeat[i] = nowS + (this.heartbeatSeconds[i] as number);
  }

  private int(bound: number): number {
    return Math.floor(this.random() * bound);
  }
}

/** Equirectangular distance: metres-accurate at city scale and cheap. */
function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const x = (b.lon - a.lon) * Math.cos((((a.lat + b.lat) / 2) * Math.PI) / 180) * 111.32;
  const y = (b.lat - a.lat) * 110.57;
  return Math.sqrt(x * x + y * y);
}

function normaliseToMax(values: Float64Array): void {
  let max = 0;
  for (const value of values) max = Math.max(max, value);
  if (max > 0) for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) / max;
}
