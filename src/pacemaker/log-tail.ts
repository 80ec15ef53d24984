/**
 * The last lines of a trainer log, made readable for an error message: carriage-return counters
 * collapsed to their last state, `Eval N:` noise dropped, bounded in lines and characters (the result
 * goes into workflow history).
 */
export function readableTail(log: string, maxLines = 30, maxChars = 4000): string {
  const lines = log
    .split('\n')
    .map((l) => {
      const segments = l.split('\r').filter((s) => s.trim() !== '');
      return (segments[segments.length - 1] ?? '').trimEnd();
    })
    .filter((l) => l !== '' && !/^\s*Eval \d+: loss=/.test(l));
  let tail = lines.slice(-maxLines).join('\n');
  if (tail.length > maxChars) tail = '…' + tail.slice(tail.length - maxChars + 1);
  return tail;
}
