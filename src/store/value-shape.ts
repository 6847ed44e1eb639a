import { expected } from '../expected.js';

/**
 * A runtime check of a stored value's shape: returns the value when it has the shape, throws a
 * `TypeError` naming `path` otherwise. Checks verify; they never convert (a value read back is the value
 * written). Extra object keys are allowed, so a newer writer's additions survive an older reader.
 */
export type Check<T> = (value: unknown, path: string) => T;

/** A string. */
export const string: Check<string> = (value, path) => {
  if (typeof value !== 'string') throw expected(path, 'a string', value);
  return value;
};

/** A finite number. */
export const number: Check<number> = (value, path) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw expected(path, 'a finite number', value);
  return value;
};

/** A boolean. */
export const boolean: Check<boolean> = (value, path) => {
  if (typeof value !== 'boolean') throw expected(path, 'a boolean', value);
  return value;
};

/** Any plain (non-array) object, its contents unchecked: for nested records the store only carries. */
export const anyObject: Check<Readonly<Record<string, unknown>>> = (value, path) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw expected(path, 'an object', value);
  return value as Readonly<Record<string, unknown>>;
};

/** One of the given literals. */
export function literal<const L extends string | number | boolean>(...values: readonly L[]): Check<L> {
  return (value, path) => {
    if (!values.includes(value as L)) throw expected(path, `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, value);
    return value as L;
  };
}

/** `check`, or null. */
export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, path) => (value === null ? null : check(value, path));
}

/** `check`, or absent (undefined). */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path) => (value === undefined ? undefined : check(value, path));
}

/** Either of two checks (the first that passes). */
export function either<A, B>(a: Check<A>, b: Check<B>, what: string): Check<A | B> {
  return (value, path) => {
    try {
      return a(value, path);
    } catch {
      try {
        return b(value, path);
      } catch {
        throw expected(path, what, value);
      }
    }
  };
}

/** An object whose listed properties pass their checks (other properties are kept, unchecked). */
export function object<T>(shape: { readonly [K in keyof T]-?: Check<T[K]> }): Check<T> {
  return (value, path) => {
    const record = anyObject(value, path);
    for (const [key, check] of Object.entries(shape) as Array<[string, Check<unknown>]>) check(record[key], `${path}.${key}`);
    return value as T;
  };
}

/** An array whose every item passes `check`. */
export function arrayOf<T>(check: Check<T>): Check<readonly T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) throw expected(path, 'an array', value);
    value.forEach((item, i) => check(item, `${path}[${i}]`));
    return value as readonly T[];
  };
}
