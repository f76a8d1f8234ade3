import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { utcIso } from './read-path.repository.ts';

describe('utcIso', () => {
  it('completes a UTC timestamp, as JSON or as PostgreSQL text, to what Date#toISOString gives', () => {
    for (const s of [
      '2026-11-22T02:20:11.123456',
      '2026-11-22 02:20:11.123456',
      '2026-11-22 02:20:11.123',
      '2026-11-22 02:20:11.12',
      '2026-11-22T02:20:11.1',
      '2026-11-22 02:20:11',
      '2026-11-22T02:20:11',
    ]) {
      assert.equal(utcIso(s), new Date(`${s.replace(' ', 'T')}Z`).toISOString(), s);
    }
  });
});
