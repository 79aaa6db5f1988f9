/**
 * CRC-32 arithmetic that lets the simulator know the CRC of a multi-GB WAV without reading it:
 * the audio is one block repeated, and CRCs of concatenations combine in O(log n) (zlib's
 * crc32_combine, by multiplication modulo the CRC polynomial). zlib.crc32 does the byte work.
 */
import { crc32 } from 'node:zlib';

const Poly = 0xedb88320;

/** a * b modulo the (reflected) CRC polynomial. */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p = (p ^ b) >>> 0;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? ((b >>> 1) ^ Poly) >>> 0 : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) mod p for k = 0..31. */
const X2n: number[] = (() => {
  const table: number[] = [0x40000000]; // x^1
  for (let k = 1; k < 32; k++) table.push(multModP(table[k - 1]!, table[k - 1]!));
  return table;
})();

/** x^(n * 2^k) mod p; n may exceed 2^32, so it is halved arithmetically, not with bit shifts. */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000; // x^0
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2n[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** CRC-32 of A‖B from crc(A), crc(B) and |B|. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA) ^ crcB) >>> 0;
}

/** CRC-32 of `block` repeated `times` times, in O(log times). */
export function crc32Repeat(block: Uint8Array, times: number): number {
  let result = 0; // CRC of the empty string
  let power = crc32(block);
  let powerLength = block.length;
  let n = times;
  while (n > 0) {
    if (n % 2 === 1) result = crc32Combine(result, power, powerLength);
    n = Math.floor(n / 2);
    if (n > 0) {
      power = crc32Combine(power, power, powerLength);
      powerLength *= 2;
    }
  }
  return result >>> 0;
}
