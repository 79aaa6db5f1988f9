/** Arbitraries for ids from another system that may be hostile: long, unicode, `#`, quotes, JSON fragments. */
import fc from 'fast-check';

const fragments = ['#', 'CALL#', '"', "'", '\\', '{"a":1}', '[]', '}', '\u0000', '\n', ' ', '/', '..', '%00', '${x}', '😀', 'é', '\u202e'];

export const hostileId = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')),
  fc.string({ minLength: 200, maxLength: 300 }),
  fc.constantFrom('DG-2024-001234', 'CALL-5678-ABCD', '_', '-', '____', 'a'.repeat(256), 'é'.repeat(256)),
);

/** Only ids the contract accepts (1..256 UTF-16 units, well-formed). */
export const validId = hostileId.filter((s) => s.length >= 1 && s.length <= 256 && s.isWellFormed());
