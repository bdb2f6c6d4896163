/** Why bytes do not decode, said in terms of the file the user gave. */
import { int, type Int } from './proto.js';

/** A dimension that does not survive conversion to a JS number (beyond 2^53, or negative), as text. */
export function unsafeDims(dims: readonly Int[] | null | undefined): string | undefined {
  const bad = (dims ?? []).find((d) => !Number.isSafeInteger(int(d)) || int(d) < 0);
  return bad === undefined ? undefined : String(bad);
}

/** protobufjs's reason, said in terms of the file: where decoding stopped and whether it looks truncated. */
export function protobufFailure(e: unknown, length: number): string {
  const why = e instanceof Error ? e.message : String(e);
  const range = /index out of range: (\d+) \+ (\d+) > (\d+)/.exec(why);
  if (range)
    return (
      `protobuf decoding failed at byte offset ${range[1]}: a field needs ${range[2]} more bytes ` +
      `but the data ends at byte ${length} (truncated file?)`
    );
  return `protobuf decoding failed (${why}); the data is corrupt or not this kind of protobuf message`;
}
