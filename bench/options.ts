/** The benches' command-line options: `--name value` pairs and bare `--flag`s, checked with the name in errors. */

/** `--name value` as a positive integer (or 0 when `allowZero`), or the fallback. */
export function intOption(args: string[], name: string, fallback: number, allowZero = false): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1))
    throw new Error(
      `--${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${args[i + 1]}`,
    );
  return value;
}

/** `--name value` as a positive integer, or undefined when the option is not given. */
export function optionalIntOption(args: string[], name: string): number | undefined {
  return args.includes(`--${name}`) ? intOption(args, name, 1) : undefined;
}

/** `--name a,b,c` as positive integers, or the fallback. */
export function intListOption(args: string[], name: string, fallback: number[]): number[] {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const values = (args[i + 1] ?? '').split(',').map(Number);
  if (values.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error(`--${name} must be positive integers separated by commas, got ${args[i + 1]}`);
  return values;
}

/** `--name value` as one of `choices`, or the fallback. */
export function choiceOption<T extends string>(
  args: string[],
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = args[i + 1] as T;
  if (!choices.includes(value))
    throw new Error(`--${name} must be one of ${choices.join(', ')}, got ${args[i + 1]}`);
  return value;
}
