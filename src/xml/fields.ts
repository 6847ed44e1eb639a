/**
 * The decrypted callback's fields, exactly as WeCom sent them: every leaf value is a string (MsgId and
 * other ids exceed 2^53, so nothing is coerced to a number), repeated elements become arrays, and nested
 * elements become objects. `<xml><A>1</A><L><Item>x</Item><Item>y</Item></L></xml>` →
 * `{ A: '1', L: { Item: ['x', 'y'] } }`.
 */
export type FieldValue = string | FieldValue[] | { [name: string]: FieldValue };

/** The top-level fields of one decrypted callback (the children of `<xml>`). */
export type CallbackFields = { [name: string]: FieldValue };
