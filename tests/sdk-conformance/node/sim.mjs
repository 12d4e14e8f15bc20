// Starts one smartsheet-sim for a test module and hands out official-SDK clients for it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import smartsheet from 'smartsheet';

// Keep in step with python/conftest.py.
const SIM_ARGS = ['serve', '--port', '0', '--seed', '7', '--users', '300', '--days', '30',
  '--now', '2026-11-29T00:00:00Z', '--rate-limit', 'off'];
const START_TIMEOUT_MS = 30_000;

// `extraArgs` are added to SIM_ARGS, e.g. ['--legacy'] for an organization on a legacy plan.
export async function startSim(extraArgs = []) {
  const binary = process.env.SMARTSHEET_SIM_BIN;
  if (!binary) throw new Error('SMARTSHEET_SIM_BIN must name the smartsheet-sim binary; use run.sh');
  const child = spawn(binary, [...SIM_ARGS, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killChild = () => child.kill('SIGKILL');
  process.on('exit', killChild);
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });

  const lines = createInterface({ input: child.stdout });
  let timer;
  const info = await Promise.race([
    new Promise((resolve) => lines.once('line', resolve)),
    new Promise((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`smartsheet-sim exited (${code}) before its start line: ${stderr}`)));
      timer = setTimeout(() => reject(new Error('smartsheet-sim printed no start line in time')), START_TIMEOUT_MS);
    }),
  ]).then(JSON.parse, (err) => { killChild(); throw err; }).finally(() => clearTimeout(timer));
  lines.close();

  const controlUrl = info.base_url.replace(/\/2\.0$/, '') + '/__sim';
  // The control endpoints answer only requests that carry the secret from the start line.
  const control = (path, init = {}) =>
    fetch(controlUrl + path, { ...init, headers: { ...init.headers, 'X-Sim-Control-Secret': info.control_secret } });
  return {
    // The Node SDK appends paths to baseUrl as they are, so it must end with '/'.
    client: (tokenName = 'admin', options = {}) =>
      smartsheet.createClient({ accessToken: info.tokens[tokenName], baseUrl: info.base_url + '/', ...options }),
    async setFaults(spec) {
      const resp = await control('/faults', { method: 'POST', body: spec });
      if (!resp.ok) throw new Error(`POST /__sim/faults answered ${resp.status}: ${await resp.text()}`);
    },
    async now() {
      const resp = await control('/state');
      if (!resp.ok) throw new Error(`GET /__sim/state answered ${resp.status}: ${await resp.text()}`);
      const state = await resp.json();
      return new Date(state.now);
    },
    stop() {
      process.off('exit', killChild);
      const died = child.exitCode ?? child.signalCode;
      killChild();
      if (died !== null) throw new Error(`smartsheet-sim died during the tests (${died}): ${stderr}`);
    },
  };
}
