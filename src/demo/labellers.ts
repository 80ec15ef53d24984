/**
 * The stand-ins for DFT that the demos label with: each a factory script (PYTHON_DEMO_DIR) that prints a
 * reproducible sequence of labelled structures, and the settings a calculation records so that a selection
 * can pin them (dft.settingsHash).
 */
import { createHash } from 'node:crypto';
import type { Env } from '../config';

/** What the demos need of the environment: the database, and the Python that runs the labellers. */
export type DemoEnv = Pick<Env, 'MONGODB_URI' | 'MLIP_DB' | 'MLIP_PYTHON'>;

/** The longest line a factory or labeller may print (one JSON document): far beyond any demo structure. */
export const DOCUMENT_LINE_MAX_CHARS = 64 * 1024 * 1024;

export const EMT_METALS = ['Al', 'Cu', 'Ag', 'Au', 'Ni', 'Pd', 'Pt'];

/** What a mocked DFT "code" records about its settings; the hash lets selections pin these settings. */
export const EMT_DFT_SETTINGS = {
  code: 'ASE-EMT',
  xc: 'EMT',
  calculator: 'ase.calculators.emt.EMT',
} as const;
export const KUMAGAI_SI_DFT_SETTINGS = {
  code: 'matscipy-Kumagai',
  xc: 'Kumagai-Izumi-Hara-Sakai 2007 (Si)',
  calculator: 'matscipy.calculators.manybody.Manybody(Kumagai)',
} as const;
export const ERHART_ALBE_SIC_DFT_SETTINGS = {
  code: 'matscipy-TersoffBrenner',
  xc: 'Erhart-Albe 2005 (Si-C)',
  calculator: 'matscipy.calculators.manybody.Manybody(TersoffBrenner(Erhart_PRB_71_035211_SiC))',
} as const;

const settingsHash = (settings: object) =>
  createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
export const EMT_SETTINGS_HASH = settingsHash(EMT_DFT_SETTINGS);
export const KUMAGAI_SI_SETTINGS_HASH = settingsHash(KUMAGAI_SI_DFT_SETTINGS);
export const ERHART_ALBE_SIC_SETTINGS_HASH = settingsHash(ERHART_ALBE_SIC_DFT_SETTINGS);

export interface Labeller {
  /** The factory script in PYTHON_DEMO_DIR. */
  script: string;
  /** Elements it can label, and the default. */
  elements: string[];
  defaultElements: string[];
  /** Whether the factory takes --elements (the silicon factory is Si only). */
  takesElements: boolean;
  /** How many distinct elements a structure may hold. */
  maxElements: number;
  dft: Record<string, string>;
  /** A word for the output: "EMT". */
  name: string;
  /** The _id's labeller part: `${campaign}/${idTag}-${elements}-seed${seed}-${index}`. */
  idTag: string;
  /** The campaign name when --campaign is not given. */
  defaultCampaign: string;
}

export const LABELLER_NAMES = ['emt', 'kumagai-si', 'erhart-albe-sic'] as const;
export type LabellerName = (typeof LABELLER_NAMES)[number];

export const LABELLERS: Record<LabellerName, Labeller> = {
  emt: {
    script: 'emt_factory.py',
    elements: EMT_METALS,
    defaultElements: ['Cu'],
    takesElements: true,
    // Up to a five-element (high-entropy) alloy.
    maxElements: 5,
    dft: { ...EMT_DFT_SETTINGS, settingsHash: EMT_SETTINGS_HASH },
    name: 'EMT',
    idTag: 'emt',
    defaultCampaign: 'demo-cu',
  },
  'kumagai-si': {
    script: 'silicon_factory.py',
    elements: ['Si'],
    defaultElements: ['Si'],
    takesElements: false,
    maxElements: 1,
    dft: { ...KUMAGAI_SI_DFT_SETTINGS, settingsHash: KUMAGAI_SI_SETTINGS_HASH },
    name: 'Kumagai-Si',
    idTag: 'kumagai',
    defaultCampaign: 'demo-si',
  },
  'erhart-albe-sic': {
    script: 'sic_factory.py',
    elements: ['C', 'Si'],
    defaultElements: ['C', 'Si'],
    takesElements: false,
    maxElements: 2,
    dft: { ...ERHART_ALBE_SIC_DFT_SETTINGS, settingsHash: ERHART_ALBE_SIC_SETTINGS_HASH },
    name: 'Erhart-Albe-SiC',
    idTag: 'erhartalbe',
    defaultCampaign: 'demo-sic',
  },
};

export function isLabellerName(name: string): name is LabellerName {
  return (LABELLER_NAMES as readonly string[]).includes(name);
}
