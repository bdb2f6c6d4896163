/**
 * A config section is declared once, as a TypeBox schema with its defaults: that schema is the JSON Schema the
 * run config is checked against (ajv fills the defaults in), `Static<typeof schema>` is its TypeScript type, and
 * `configSection` fills the same defaults for a stage that is handed a partial section.
 */
import {
  Type,
  type ObjectOptions,
  type SchemaOptions,
  type Static,
  type TObject,
  type TProperties,
  type TUnsafe,
} from '@sinclair/typebox';
import { Clone, Default } from '@sinclair/typebox/value';

/**
 * A stage's config section with the schema's defaults filled in. The runner hands over a config the schema has
 * already defaulted; filling again keeps a stage callable on a partial section (tests, bench scripts). Nested
 * objects fill key by key; arrays and scalars replace; an absent or undefined value takes the default.
 */
export function configSection<S extends TObject>(root: Readonly<Record<string, unknown>>, name: string, schema: S) {
  // Default fills the value it is given in place where the schema has no default of its own.
  return Default(schema, Clone(root[name])) as Static<S>;
}

/**
 * A section, or an object inside one: unknown fields are errors, and an absent object is `{}`, so that the
 * defaults of the fields inside it are filled in too.
 */
export const Section = <P extends TProperties>(properties: P, options: ObjectOptions = {}): TObject<P> =>
  Type.Object(properties, { additionalProperties: false, default: {}, ...options });

/** What a section reads as when the config leaves it out. */
export const sectionDefaults = <S extends TObject>(schema: S): Static<S> => configSection({}, '', schema);

/**
 * One of `values`, as JSON Schema's `enum` (TypeBox's unions of literals are `anyOf`, whose errors would read
 * differently: pipeline/config/config.ts words an `enum` error as "must be one of …").
 */
export const Enum = <const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> =>
  Type.Unsafe<T[number]>({ ...options, enum: [...values] });
