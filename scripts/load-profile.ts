/**
 * The top frames of a CPU profile written by `node --cpu-prof` (the load script's
 * `--profile`), by self time, as the issue asks for them in a note.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Summarizes the main thread's profile in `dir` (the largest `.cpuprofile`; a loader thread
 * writes a small one of its own).
 *
 * @param dir - Where `--cpu-prof-dir` wrote.
 * @param top - Frames to list.
 * @returns Lines of text: busy time, then `self ms  share  function file:line`.
 */
export async function profileTopFrames(dir: string, top = 25): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  let profile: CpuProfile | undefined;
  let file = '';
  for (const name of files) {
    const candidate = JSON.parse(await readFile(join(dir, name), 'utf8')) as CpuProfile;
    if (!profile || candidate.samples.length > profile.samples.length) {
      profile = candidate;
      file = name;
    }
  }
  if (!profile) return [`no profile in ${dir}`];
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    const delta = profile.timeDeltas[index] ?? 0;
    busy += delta;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? ` ${url.replace(/^.*\/(src|dist|node_modules)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + delta);
  });
  const lines = [`profile ${file}: ${(busy / 1e6).toFixed(2)} s on CPU (samples, wall-clock while busy)`];
  for (const [frame, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`${(micros / 1000).toFixed(0).padStart(7)} ms ${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${frame}`);
  }
  return lines;
}
