/**
 * Temporal's client config file (TOML profiles, as the `temporal` CLI and every SDK read it), read with the
 * SDK's own loader (@temporalio/envconfig). A profile fills in the TEMPORAL_* variables the environment does
 * not set: the environment wins, as it does for Temporal's tools, and the result is one flat set of
 * variables that EnvSchema validates.
 */
import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';
import fs from 'node:fs';

type Vars = Record<string, string>;

/** The variables a profile can supply, from what it holds. Data wins over a path, as in envconfig. */
function profileVars(profile: ClientConfigProfile): Vars {
  const tls = profile.tls;
  const source = (name: string, s: { path: string } | { data: string | Uint8Array } | undefined): Vars => {
    if (!s) return {};
    if ('path' in s) return { [`${name}_PATH`]: s.path };
    return { [`${name}_DATA`]: typeof s.data === 'string' ? s.data : Buffer.from(s.data).toString('utf8') };
  };
  const vars: Vars = {
    ...(profile.address ? { TEMPORAL_ADDRESS: profile.address } : {}),
    ...(profile.namespace ? { TEMPORAL_NAMESPACE: profile.namespace } : {}),
    ...(profile.apiKey ? { TEMPORAL_API_KEY: profile.apiKey } : {}),
  };
  if (tls) {
    vars.TEMPORAL_TLS = tls.disabled ? 'false' : 'true';
    if (tls.serverName) vars.TEMPORAL_TLS_SERVER_NAME = tls.serverName;
    Object.assign(
      vars,
      source('TEMPORAL_TLS_CLIENT_CERT', tls.clientCert),
      source('TEMPORAL_TLS_CLIENT_KEY', tls.clientKey),
      source('TEMPORAL_TLS_SERVER_CA_CERT', tls.serverCACert),
    );
  }
  return vars;
}

/** A variable of a TLS source is set when its path or its data is: one of the pair, never both sources. */
const PAIRED = ['TEMPORAL_TLS_CLIENT_CERT', 'TEMPORAL_TLS_CLIENT_KEY', 'TEMPORAL_TLS_SERVER_CA_CERT'];

/**
 * `present` with the profile's values for the TEMPORAL_* variables it lacks. The file is TEMPORAL_CONFIG_FILE,
 * or `temporal.toml` in the user's config directory ($XDG_CONFIG_HOME/temporalio, ~/.config/temporalio) when
 * it exists; the profile is TEMPORAL_PROFILE, or `default`. Throws an Error naming the file or profile.
 */
export function withTemporalProfile(present: Vars): Vars {
  const file = present.TEMPORAL_CONFIG_FILE;
  if (file !== undefined && !fs.existsSync(file))
    throw new Error(`TEMPORAL_CONFIG_FILE: ${file} does not exist (unset it to use no config file)`);
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({
      disableEnv: true,
      ...(present.TEMPORAL_PROFILE ? { profile: present.TEMPORAL_PROFILE } : {}),
      // Where the default file is (HOME, XDG_CONFIG_HOME, TEMPORAL_CONFIG_FILE) comes from `present` too.
      overrideEnvVars: present,
    });
  } catch (err) {
    const where = file ?? 'the Temporal config file';
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(
      /Profile '.*' not found/.test(message)
        ? `TEMPORAL_PROFILE: no profile "${present.TEMPORAL_PROFILE}" in ${where}`
        : `TEMPORAL_CONFIG_FILE: ${where} is not a valid Temporal config file: ${message}`,
    );
  }
  const fromProfile = profileVars(profile);
  const merged: Vars = { ...present };
  for (const [name, value] of Object.entries(fromProfile)) {
    const pair = PAIRED.find((p) => name.startsWith(p));
    // The environment's path overrides the profile's data for the same file, and the other way round.
    const setInEnv = pair ? [`${pair}_PATH`, `${pair}_DATA`].some((n) => n in present) : name in present;
    if (!setInEnv) merged[name] = value;
  }
  return merged;
}
