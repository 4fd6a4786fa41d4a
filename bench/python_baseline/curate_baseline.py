"""The curated parse-and-flatten as the original Python pipeline wrote it, for bench/runners.bench.ts.

A plain Beam pipeline on the Python DirectRunner: ReadFromText over NDJSON envelopes, beam.Map to
parse each one, beam.FlatMap to one row per station (the columns of core's curated row, integers
converted leniently, stations without station_id skipped, other event types ignored), json.dumps,
WriteToText into one file. No DLQ branch: a bad line raises, and the benchmark's input has none.

Usage: python curate_baseline.py INPUT OUTPUT  (prints the row count on its last line)
"""

import json
import sys
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions


def to_int(value):
    """The original's lenient int: bools and numbers as ints, numeric strings parsed, else None."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return None


def to_timestamp(epoch_seconds):
    seconds = to_int(epoch_seconds)
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def bike_types(station):
    mechanical = ebike = None
    for item in station.get('num_bikes_available_types') or []:
        if not isinstance(item, dict):
            continue
        if 'mechanical' in item:
            mechanical = to_int(item['mechanical'])
        if 'ebike' in item:
            ebike = to_int(item['ebike'])
        kind = item.get('bike_type')
        if kind == 'mechanical':
            mechanical = to_int(item.get('count'))
        elif kind in ('ebike', 'electric', 'e-bike'):
            ebike = to_int(item.get('count'))
    return mechanical, ebike


def either(station, snake, camel):
    value = station.get(snake)
    return station.get(camel) if value is None else value


def station_rows(envelope):
    if envelope.get('event_type') != 'station_status_snapshot':
        return
    stations = ((envelope.get('payload') or {}).get('data') or {}).get('stations')
    if not isinstance(stations, list):
        raise ValueError('payload.data.stations is not a list')
    for station in stations:
        if not isinstance(station, dict) or station.get('station_id') in (None, ''):
            continue
        mechanical, ebike = bike_types(station)
        code = station.get('stationCode') or station.get('station_code') or station.get('stationcode')
        yield {
            'ingest_ts': envelope['ingest_ts'],
            'event_ts': envelope.get('event_ts') or envelope['ingest_ts'],
            'station_id': str(station['station_id']),
            'station_code': None if code is None else str(code),
            'is_installed': to_int(station.get('is_installed')),
            'is_renting': to_int(station.get('is_renting')),
            'is_returning': to_int(station.get('is_returning')),
            'last_reported_ts': to_timestamp(station.get('last_reported')),
            'num_bikes_available': to_int(either(station, 'num_bikes_available', 'numBikesAvailable')),
            'num_docks_available': to_int(either(station, 'num_docks_available', 'numDocksAvailable')),
            'mechanical_available': mechanical,
            'ebike_available': ebike,
            'raw_station_json': json.dumps(station, separators=(',', ':'), ensure_ascii=False),
        }


def main(argv):
    input_path, output_path = argv[1], argv[2]
    with beam.Pipeline(options=PipelineOptions(['--runner=DirectRunner'])) as pipeline:
        (
            pipeline
            | 'read' >> beam.io.ReadFromText(input_path)
            | 'parse' >> beam.Map(json.loads)
            | 'rows' >> beam.FlatMap(station_rows)
            | 'encode' >> beam.Map(lambda row: json.dumps(row, separators=(',', ':'), ensure_ascii=False))
            | 'write' >> beam.io.WriteToText(output_path, shard_name_template='', num_shards=1)
        )
    with open(output_path, encoding='utf-8') as rows:
        print(sum(1 for _ in rows))


if __name__ == '__main__':
    main(sys.argv)
