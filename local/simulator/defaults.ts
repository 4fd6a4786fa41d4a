/**
 * Every tunable of the simulated Vélib system in one place. Figures are rough orders of magnitude
 * from the real feed (1,495 stations, ~18,000 docked bikes, 39 % e-bikes on 2025-10-18) and from
 * Vélib's published usage (roughly 100,000–200,000 trips a day).
 */
export const SIMULATION = {
  /** The model advances in fixed steps so a state depends only on seed, start and elapsed ticks. */
  tickSeconds: 10,
  /** Docked bikes at the start as a share of all usable docks. */
  initialFill: 0.4,
  /** Share of e-bikes in the fleet. */
  ebikeShare: 0.39,
  /** Riders pick an e-bike over a mechanical one this much more often when both are there. */
  ebikePreference: 1.6,
  /** Trips a day; the hourly profiles below spread them over the day. */
  tripsPerWeekday: 110_000,
  tripsPerWeekendDay: 85_000,
  /** Relative demand per Paris local hour (0–23), interpolated between hour midpoints. */
  weekdayProfile: [
    0.35, 0.2, 0.12, 0.08, 0.07, 0.15, 0.45, 1.2, 2.2, 1.5, 0.8, 0.85, 1.0, 1.0, 0.9, 0.95, 1.2,
    2.0, 2.3, 1.6, 1.0, 0.8, 0.65, 0.5,
  ],
  weekendProfile: [
    0.6, 0.45, 0.3, 0.2, 0.12, 0.1, 0.15, 0.25, 0.4, 0.65, 0.95, 1.2, 1.3, 1.35, 1.45, 1.5, 1.5,
    1.45, 1.3, 1.1, 0.9, 0.8, 0.75, 0.7,
  ],
  /** Commuter flows: weekday mornings into the centre, evenings out of it (Paris hours). */
  morningCommute: [7, 10] as const,
  eveningCommute: [16.5, 19.5] as const,
  commuteBias: 1.5,
  /** Centre of the flows (Châtelet) and how fast "centrality" decays with distance. */
  centre: { lat: 48.8584, lon: 2.347 },
  centralityKm: 3,
  /** Destinations are drawn among a station's nearest neighbours, weighted by exp(-d / km). */
  neighbours: 150,
  tripKernelKm: 2,
  /** Share of trips to anywhere in the network (long rides). */
  longTripShare: 0.1,
  /** Riding speeds in km/h, detour over the straight line, and the fixed minutes per trip. */
  speedKmh: { mechanical: 12, ebike: 17 },
  detour: 1.3,
  tripOverheadMinutes: 2,
  minTripMinutes: 2,
  /** A rider finding no free dock waits this long before trying the same station again. */
  retryMinutes: 3,
  /**
   * Rebalancing: trucks move bikes from full to empty stations all day (`dayTrucks`) and in force in
   * the nightly window (Paris hours), when the workshop also swaps bikes out for repair.
   */
  rebalancing: [1, 5] as const,
  trucks: 12,
  dayTrucks: 4,
  truckVisitMinutes: 10,
  truckLoad: 20,
  fullFill: 0.7,
  emptyFill: 0.2,
  /** Workshop: bikes taken out for repair and brought back, only in the rebalancing window. */
  workshopShare: 0.02,
  workshopMovesPerTick: 0.05,
  /** Stations that report with a lag: each reports at least every 3–25 minutes. */
  heartbeatMinutes: [3, 25] as const,
  /** Quirks of the real feed, as shares of all stations (see ../shared/data/velib/SOURCES.md). */
  silentShare: 0.022,
  closedShare: 0.015,
  uninstalledShare: 0.007,
  overCapacityShare: 0.008,
  brokenDocksShare: 0.52,
  /** Transient outages: share of stations affected at any time and mean duration in minutes. */
  transientSilence: { share: 0.005, minutes: 120 },
  transientClosure: { share: 0.005, minutes: 180 },
  /** Oldest plausible last_reported for a station that stopped reporting (Vélib 2018 launch). */
  oldestReport: Date.UTC(2018, 2, 16) / 1000,
} as const;
