/**
 * Reads the fenced vector blocks out of docs/protocol/v1.md, so the page and the tests cannot
 * drift: a line is `name | header body | frame JSON` (or an error code), hex with optional spaces.
 */
import { readFileSync } from 'node:fs';
import type { Frame } from '../../src/index.js';

const SPEC = readFileSync(new URL('../../../../docs/protocol/v1.md', import.meta.url), 'utf8');

/** One line of a vector block. */
export interface SpecLine {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The third column, raw: frame JSON or an error code. */
  readonly expected: string;
}

/** The lines of the fenced block tagged `tag` (```vectors, ```error-vectors, …). */
export function specBlock(tag: string): SpecLine[] {
  const match = new RegExp('```' + tag + '\\n([\\s\\S]*?)```').exec(SPEC);
  if (match === null) throw new Error(`docs/protocol/v1.md has no \`\`\`${tag} block`);
  return (match[1] as string)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const parts = line.split(' | ');
      if (parts.length !== 3) throw new Error(`bad vector line: ${line}`);
      const [name, hex, expected] = parts as [string, string, string];
      return { name, bytes: fromHex(hex.replace(/ /g, '')), expected };
    });
}

/** The frame a vector's JSON describes: `{"$bin":"hex"}` stands for a Uint8Array. */
export function frameFromJson(json: string): Frame {
  return JSON.parse(json, (_key, value: unknown) =>
    typeof value === 'object' && value !== null && '$bin' in value
      ? fromHex((value as { $bin: string }).$bin)
      : value,
  ) as Frame;
}

export function fromHex(hex: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/.test(hex)) throw new Error(`bad hex: ${hex}`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
