/**
 * `mlip-train config --explain`: every TrainerParams field with its type, default and description, read
 * from the zod schema itself (through its JSON Schema), so the documentation is never written twice.
 */
import { z } from 'zod';
import { TrainerParamsSchema } from '../api';

export interface ExplainEntry {
  /** Dotted field path, e.g. "ace.embedding.ndensity". */
  field: string;
  type: string;
  /** JSON of the default, or "(unset)" when the field has none. */
  default: string;
  description: string;
}

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
}

function bounds(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) parts.push(`≤ ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
  return parts.length ? ` ${parts.join(', ')}` : '';
}

function isStruct(s: JsonSchema): boolean {
  return s.type === 'object' && s.properties !== undefined && s.additionalProperties === false;
}

/** A short human-readable type. */
export function describeType(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(describeType).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.type === 'array') return `[${s.items ? describeType(s.items) : 'any'}, ...]`;
  if (s.type === 'object') {
    if (s.properties)
      return `{${Object.entries(s.properties)
        .map(([k, v]) => `${k}: ${describeType(v)}`)
        .join(', ')}}`;
    const value = typeof s.additionalProperties === 'object' ? describeType(s.additionalProperties) : 'any';
    const key = s.propertyNames?.pattern === '^([A-Z][a-z]?)-([A-Z][a-z]?)$' ? '"A-B"' : 'element';
    return `{${key}: ${value}}`;
  }
  if (s.type === 'integer') return `integer${bounds(s)}`;
  if (s.type === 'number') return `number${bounds(s)}`;
  if (typeof s.type === 'string') return s.type;
  return 'any';
}

function walk(s: JsonSchema, prefix: string, out: ExplainEntry[]): void {
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    const field = prefix ? `${prefix}.${key}` : key;
    if (isStruct(child)) {
      walk(child, field, out);
      continue;
    }
    out.push({
      field,
      type: describeType(child),
      default: child.default === undefined ? '(unset)' : JSON.stringify(child.default),
      description: child.description ?? '',
    });
  }
}

/** Every leaf field of TrainerParams, in schema order. */
export function explainTrainerParams(): ExplainEntry[] {
  const schema = z.toJSONSchema(TrainerParamsSchema, { io: 'input' }) as JsonSchema;
  const out: ExplainEntry[] = [];
  walk(schema, '', out);
  return out;
}

/** The entries as text for a terminal: one block per field. */
export function formatExplain(entries: ExplainEntry[]): string {
  const lines = [
    'TrainerParams: every field is optional; unknown fields are refused. Give them as YAML or JSON',
    '(mlip-train config --trainer FILE, or the `trainer` field of a training request).',
    '',
  ];
  for (const e of entries) {
    lines.push(`${e.field}  (${e.type}; default ${e.default})`);
    lines.push(`    ${e.description}`);
  }
  return lines.join('\n');
}
