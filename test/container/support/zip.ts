/** ZIP archives for tests, written by yazl (a real ZIP writer), plus byte patches for hostile ones. */
import { Readable } from 'node:stream';
import yazl from 'yazl';

export interface ZipItem {
  name: string;
  data: Buffer;
  compress?: boolean;
  /** Stream the entry so yazl writes a data descriptor instead of sizes in the local header. */
  streamed?: boolean;
}

export async function makeZip(items: ZipItem[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const item of items) {
    const options = { compress: item.compress ?? false, forceDosTimestamp: true, mtime: new Date(Date.UTC(2024, 0, 1)) };
    if (item.streamed) zip.addReadStream(Readable.from([item.data]), item.name, options);
    else zip.addBuffer(item.data, item.name, options);
  }
  zip.end();
  const parts: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Offset of the first central directory header. */
export function centralDirectoryOffset(zip: Buffer): number {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  return zip.readUInt32LE(eocd + 16);
}

/** Rewrites the uncompressed size the central directory declares for the first entry. */
export function patchDeclaredSize(zip: Buffer, uncompressedSize: number): Buffer {
  const copy = Buffer.from(zip);
  copy.writeUInt32LE(uncompressedSize, centralDirectoryOffset(copy) + 24);
  return copy;
}

/** Renames an entry in place (local header and directory), for names a ZIP writer refuses to write. */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error('renameEntry needs names of equal length');
  const copy = Buffer.from(zip);
  const needle = Buffer.from(from);
  for (let at = copy.indexOf(needle); at >= 0; at = copy.indexOf(needle, at + 1)) copy.write(to, at);
  return copy;
}
