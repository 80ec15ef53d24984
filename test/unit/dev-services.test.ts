/**
 * The one definition of the dev services: both modes start the same programs with the same search
 * attributes, and differ only where they should (ports, persistence, Web UI).
 */
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../src/api';
import { INSTALLED } from '../../src/config';
import {
  DEFAULT_PORTS,
  DevServicesError,
  ephemeralDefinitions,
  mongoWireServer,
  persistentConfigFromEnv,
  persistentDefinitions,
  temporalDevServer,
  type ServiceDefinition,
} from '../../src/dev-services';

/** The NAME=TYPE values given with --search-attribute. */
function searchAttributesOf(definition: ServiceDefinition): string[] {
  return definition.args.flatMap((arg, i) =>
    arg === '--search-attribute' ? [definition.args[i + 1] ?? '(missing)'] : [],
  );
}

const flagValue = (definition: ServiceDefinition, flag: string) =>
  definition.args.includes(flag) ? definition.args[definition.args.indexOf(flag) + 1] : undefined;

const persistentConfig = { dataDir: '/data', temporalPort: 17233, uiPort: 18233, mongoPort: 27117 };
const [persistentTemporal, persistentMongo] = persistentDefinitions(persistentConfig);
const ephemeral = ephemeralDefinitions(
  { temporal: 40001, http: 40002, metrics: 40003, mongo: 40004 },
  '/tmp/m',
);

describe('the Temporal dev server', () => {
  const everyAttribute = Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => `${name}=${type}`);

  test.each([
    ['persistent', persistentTemporal!],
    ['ephemeral', ephemeral.temporal],
  ])('registers every search attribute of src/api (%s mode)', (_mode, definition) => {
    expect(searchAttributesOf(definition).sort()).toEqual(everyAttribute.sort());
  });

  test('both modes run the same program with the same shared flags', () => {
    for (const definition of [persistentTemporal!, ephemeral.temporal]) {
      expect(definition.command).toBe(INSTALLED.temporal);
      expect(definition.args.slice(0, 2)).toEqual(['server', 'start-dev']);
      expect(flagValue(definition, '--ip')).toBe('127.0.0.1');
      expect(flagValue(definition, '--log-level')).toBe('warn');
    }
  });

  test('persistent: a SQLite file in the data dir and the Web UI on its port', () => {
    expect(flagValue(persistentTemporal!, '--port')).toBe('17233');
    expect(flagValue(persistentTemporal!, '--db-filename')).toBe(path.join('/data', 'temporal.db'));
    expect(flagValue(persistentTemporal!, '--ui-port')).toBe('18233');
    expect(persistentTemporal!.args).not.toContain('--headless');
    expect(persistentTemporal!.otherPorts).toEqual([18233]);
    expect(persistentTemporal!.address).toBe('127.0.0.1:17233');
  });

  test('ephemeral: in memory, headless, every port given', () => {
    const t = ephemeral.temporal;
    expect(t.args).not.toContain('--db-filename');
    expect(t.args).toContain('--headless');
    expect(t.args).not.toContain('--ui-port');
    expect([flagValue(t, '--port'), flagValue(t, '--http-port'), flagValue(t, '--metrics-port')]).toEqual([
      '40001',
      '40002',
      '40003',
    ]);
  });

  test('a pid file is trusted only for a command line holding the match text', () => {
    const definition = temporalDevServer({ port: 1, ui: 'headless' });
    expect([definition.command, ...definition.args].join(' ')).toContain(definition.commandMatch);
  });
});

describe('the MongoDB-wire server', () => {
  test('listens where it is told and keeps its SQLite files in the given dir (both modes)', () => {
    expect(persistentMongo!.args).toEqual([
      '--listen-addr',
      '127.0.0.1:27117',
      '--sqlite-dir',
      path.join('/data', 'mongo'),
    ]);
    expect(ephemeral.mongo.args).toEqual(['--listen-addr', '127.0.0.1:40004', '--sqlite-dir', '/tmp/m']);
    expect(ephemeral.mongo.address).toBe('mongodb://127.0.0.1:40004');
    const definition = mongoWireServer({ port: 5, sqliteDir: '/x' });
    expect(definition.command).toBe(INSTALLED.mongoWireServer);
    expect([definition.command, ...definition.args].join(' ')).toContain(definition.commandMatch);
  });
});

describe('the persistent ports from the environment', () => {
  test('default to 7233, 8233 and 27017', () => {
    expect(persistentConfigFromEnv({}, '/d')).toEqual({
      dataDir: '/d',
      temporalPort: DEFAULT_PORTS.temporal,
      uiPort: DEFAULT_PORTS.ui,
      mongoPort: DEFAULT_PORTS.mongo,
    });
    expect(DEFAULT_PORTS).toEqual({ temporal: 7233, ui: 8233, mongo: 27017 });
  });

  test('TEMPORAL_PORT, TEMPORAL_UI_PORT and MONGO_PORT move them', () => {
    expect(
      persistentConfigFromEnv(
        { TEMPORAL_PORT: '17233', TEMPORAL_UI_PORT: '18233', MONGO_PORT: '27117' },
        '/d',
      ),
    ).toEqual({ ...persistentConfig, dataDir: '/d' });
  });

  test.each(['abc', '0', '70000', '12.5'])('a port of %s is refused, naming the variable', (value) => {
    expect(() => persistentConfigFromEnv({ MONGO_PORT: value }, '/d')).toThrow(DevServicesError);
    expect(() => persistentConfigFromEnv({ MONGO_PORT: value }, '/d')).toThrow(/MONGO_PORT must be a port/);
  });
});
