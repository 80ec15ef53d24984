/**
 * A published potential's registry id, "name@vK" (version K of potential `name`): what a training returns
 * as potentialId and what `initialPotential`, `scoreCandidates` and the CLI take. Pure.
 */

/** "name@vK": a registry id. */
export const POTENTIAL_ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]*@v[1-9]\d*$/;

export const potentialId = (name: string, version: number) => `${name}@v${version}`;

/** "NAME" or "NAME@vK" (potentialId's form) → its parts; undefined for an empty text. */
export function parsePotentialRef(text: string): { name: string; version?: number } | undefined {
  const m = /^(.+?)(?:@v(\d+))?$/.exec(text);
  if (!m) return undefined;
  return { name: m[1]!, version: m[2] === undefined ? undefined : Number(m[2]) };
}
