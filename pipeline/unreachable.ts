/** Makes a switch over a union exhaustive: a case added to the union and not handled fails to compile. */
export function unreachable(value: never): never {
  throw new Error(`Internal error: unexpected value ${JSON.stringify(value)}`);
}
