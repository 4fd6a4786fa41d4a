import { describe, expect, it } from 'vitest';
import { firstTruthy, isTruthy, toFloat, toInt, toText } from './lenient.js';

describe('toInt (Python int() inside try/except, as the original _to_int)', () => {
  it.each([
    [3, 3],
    [3.9, 3],
    [-3.9, -3],
    [-0, 0],
    [true, 1],
    [false, 0],
    ['3', 3],
    [' 3 ', 3],
    ['+3', 3],
    ['-12', -12],
    ['1_000', 1000],
    ['007', 7],
  ])('%j → %j', (input, expected) => {
    expect(toInt(input)).toBe(expected);
  });

  it.each([
    ['3.0'],
    ['abc'],
    [''],
    ['0x10'],
    ['1__0'],
    ['_1'],
    ['٣'],
    [NaN],
    [Infinity],
    [-Infinity],
    [null],
    [undefined],
    [{}],
    [[1]],
  ])('%j → null', (input) => {
    expect(toInt(input)).toBeNull();
  });

  it('keeps INT64 values beyond 2^53 exact as strings, and nulls what INT64 cannot hold', () => {
    expect(toInt('9007199254740993')).toBe('9007199254740993');
    expect(toInt('9223372036854775807')).toBe('9223372036854775807');
    expect(toInt('9223372036854775808')).toBeNull();
    expect(toInt('-9223372036854775808')).toBe('-9223372036854775808');
    expect(toInt(1e300)).toBeNull();
    expect(toInt(20702946965)).toBe(20702946965);
  });
});

describe('toFloat, toText, truthiness', () => {
  it('reads finite floats only', () => {
    expect(toFloat(48.85)).toBe(48.85);
    expect(toFloat(' 2.3e0 ')).toBe(2.3);
    expect(toFloat('.5')).toBe(0.5);
    for (const bad of ['nan', 'inf', 'abc', '', NaN, Infinity, true, null, {}]) {
      expect(toFloat(bad)).toBeNull();
    }
  });

  it('writes strings and finite numbers as text, nothing else', () => {
    expect(toText('16107')).toBe('16107');
    expect(toText(19179944124)).toBe('19179944124');
    expect(toText(1.5)).toBe('1.5');
    for (const bad of [true, null, undefined, {}, [], NaN]) expect(toText(bad)).toBeNull();
  });

  it('follows Python truthiness for the or-fallbacks', () => {
    for (const falsy of [null, undefined, false, 0, '', [], {}, NaN]) {
      expect(isTruthy(falsy)).toBe(false);
    }
    for (const truthy of ['0', [0], { a: 0 }, -1, true]) expect(isTruthy(truthy)).toBe(true);
    expect(firstTruthy('', 0, 'x')).toBe('x');
    expect(firstTruthy('', 0)).toBe(0);
    expect(firstTruthy(undefined, '')).toBe('');
  });
});
