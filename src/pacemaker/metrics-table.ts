/**
 * pacemaker's per-iteration metrics table (metrics.txt in the fit directory, published as
 * fit-metrics.txt): a whitespace-separated table with a header row. Units as pacemaker writes them:
 * rmse_epa in eV/atom, rmse_f_comp in eV/Å. Pure: text in, rows out.
 */

/** The columns the learning curve needs; any other column is ignored. */
export const REQUIRED_METRICS_COLUMNS = ['iter_num', 'loss', 'rmse_epa', 'rmse_f_comp'] as const;

export interface MetricsRow {
  /** Iteration number as pacemaker wrote it (restarts at 0 in a resumed fit). */
  iteration: number;
  loss: number;
  /** RMSE of energy per atom, meV/atom (converted from eV/atom). */
  rmseEnergyMeVPerAtom: number;
  /** RMSE of force components, meV/Å (converted from eV/Å). */
  rmseForcesMeVPerA: number;
}

export class MetricsTableError extends Error {}

/**
 * Parses the table. Blank lines are skipped; a repeated header row (a resumed fit appending to the same
 * file) is accepted if it has the same columns. Throws MetricsTableError naming a missing column, or the
 * line and column of a value that is not a number.
 */
export function parseMetricsTable(text: string): MetricsRow[] {
  const lines = text.split(/\r?\n/);
  let header: string[] | undefined;
  let index: Record<(typeof REQUIRED_METRICS_COLUMNS)[number], number> | undefined;
  const rows: MetricsRow[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const cells = line.split(/\s+/);
    if (!header) {
      header = cells;
      const missing = REQUIRED_METRICS_COLUMNS.filter((c) => !cells.includes(c));
      if (missing.length > 0)
        throw new MetricsTableError(
          `pacemaker metrics table lacks column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')} (header: ${cells.join(' ')})`,
        );
      index = {
        iter_num: cells.indexOf('iter_num'),
        loss: cells.indexOf('loss'),
        rmse_epa: cells.indexOf('rmse_epa'),
        rmse_f_comp: cells.indexOf('rmse_f_comp'),
      };
      return;
    }
    if (cells.join(' ') === header.join(' ')) return; // header repeated by an appended (resumed) fit
    if (cells.length !== header.length)
      throw new MetricsTableError(
        `pacemaker metrics table line ${i + 1} has ${cells.length} values, the header has ${header.length} columns`,
      );
    const value = (column: keyof NonNullable<typeof index>): number => {
      const cell = cells[index![column]]!;
      const n = Number(cell);
      if (cell === '' || Number.isNaN(n))
        throw new MetricsTableError(
          `pacemaker metrics table line ${i + 1}: column '${column}' is not a number: '${cell}'`,
        );
      return n;
    };
    rows.push({
      iteration: value('iter_num'),
      loss: value('loss'),
      rmseEnergyMeVPerAtom: value('rmse_epa') * 1000,
      rmseForcesMeVPerA: value('rmse_f_comp') * 1000,
    });
  });
  if (!header) throw new MetricsTableError('pacemaker metrics table is empty (no header row)');
  return rows;
}
