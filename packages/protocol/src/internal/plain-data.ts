/**
 * What a payload may hold, checked before encoding: the values that survive a MessagePack round
 * trip unchanged without any extension. msgpackr would encode the rest somehow (a Date as an
 * extension, a class instance as a bare map, `undefined` as an extension, a Map with non-string
 * keys), and the peer's decoder would refuse or alter it; the sender gets a typed error instead.
 */
import { BadFrameShape } from '../errors.js';

/** In `u` mode a paired surrogate is one code point, so only a lone one matches (`isWellFormed` is ES2024). */
const LONE_SURROGATE = /\p{Cs}/u;
/** msgpackr writes every object as a map 16. */
const MAX_KEYS = 0xffff;

/** True for a string that UTF-8 can carry unchanged (no lone surrogate). */
export function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/**
 * Throws unless `value` is plain data: null, a boolean, a number, a well-formed string, a
 * Uint8Array (a Buffer too), or an array or plain object (prototype `Object.prototype` or null)
 * of plain data, with at most `maxDepth` containers open counting from `depth`. A cycle fails the
 * depth check. `-0` passes and is sent as 0, as JSON does.
 *
 * @throws PROTO_ERR_BAD_SHAPE naming the first offending value and where it is.
 */
export function checkPlainData(value: unknown, where: string, depth: number, maxDepth: number): void {
  const problem = findProblem(value, depth, maxDepth);
  if (problem !== undefined) {
    throw new BadFrameShape(`${where}${problem.path.reverse().join('')} is ${problem.what}`);
  }
}

interface Problem {
  /** Keys and indexes from the offending value up to the root (reversed once, at the end). */
  readonly path: string[];
  readonly what: string;
}

function findProblem(value: unknown, depth: number, maxDepth: number): Problem | undefined {
  switch (typeof value) {
    case 'boolean':
    case 'number':
      return undefined;
    case 'string':
      return isWellFormed(value) ? undefined : { path: [], what: 'a string with a lone surrogate' };
    case 'undefined':
      return { path: [], what: 'undefined (use null)' };
    case 'bigint':
    case 'symbol':
    case 'function':
      return { path: [], what: `a ${typeof value}` };
    case 'object':
      break;
  }
  if (value === null || value instanceof Uint8Array) return undefined;
  if (depth >= maxDepth)
    return { path: [], what: `nested deeper than ${maxDepth} arrays and maps (or a cycle)` };
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value) && proto === Array.prototype) {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      const problem = findProblem(items[i], depth + 1, maxDepth);
      if (problem !== undefined) return withStep(problem, `[${i}]`);
    }
    return undefined;
  }
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return { path: [], what: `an instance of ${typeof name === 'string' && name !== '' ? name : 'a class'}` };
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length > MAX_KEYS) return { path: [], what: `an object with more than ${MAX_KEYS} keys` };
  for (const key of keys) {
    if (key === '__proto__') return { path: [], what: 'an object with a __proto__ key' };
    if (!isWellFormed(key)) return { path: [], what: 'an object with a key with a lone surrogate' };
    const problem = findProblem(record[key], depth + 1, maxDepth);
    if (problem !== undefined) return withStep(problem, `.${key}`);
  }
  return undefined;
}

function withStep(problem: Problem, step: string): Problem {
  problem.path.push(step);
  return problem;
}
