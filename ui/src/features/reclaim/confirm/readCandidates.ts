import type { RemovalCandidate } from "../../../bindings/reclaim";
import * as ipc from "../../../lib/ipc";
import { ALL_STATES } from "../format";

/** The most rows one read of the candidate list returns. */
const WINDOW = 500;

interface Wanted {
  candidateId: number;
  profileId: number;
}

/** The candidates `wanted`, as the core has them now (their state and note after a reclaim run), read by id. */
export async function readCandidates(wanted: readonly Wanted[]): Promise<Map<number, RemovalCandidate>> {
  const found = new Map<number, RemovalCandidate>();
  const ids = [...new Set(wanted.map((w) => w.candidateId))];
  for (let start = 0; start < ids.length; start += WINDOW) {
    const chunk = ids.slice(start, start + WINDOW);
    const page = await ipc.listCandidates({
      filter: {
        profileId: null,
        modelId: null,
        states: ALL_STATES,
        justification: null,
        minInactiveDays: null,
        search: "",
        ids: chunk,
      },
      sort: "opened",
      descending: true,
      offset: 0,
      limit: WINDOW,
    });
    for (const row of page.rows) found.set(row.id, row);
  }
  return found;
}
