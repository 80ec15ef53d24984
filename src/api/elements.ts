/** The chemical symbols of the elements H (1) to Og (118), in atomic-number order. */
export const CHEMICAL_SYMBOLS: readonly string[] = `
  H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr
  Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu
  Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr
  Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og`
  .trim()
  .split(/\s+/);

const KNOWN = new Set(CHEMICAL_SYMBOLS);

/** True for a chemical symbol of a known element, spelled exactly (`Cu`, not `cu` or `CU`). */
export function isChemicalSymbol(symbol: string): boolean {
  return KNOWN.has(symbol);
}
