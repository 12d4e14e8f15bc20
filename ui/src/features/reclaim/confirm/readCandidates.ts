import type { CandidateFilter, RemovalCandidate } from "../../../bindings/reclaim";
import * as ipc from "../../../lib/ipc";
import { ALL_STATES } from "../format";

/** Up to this many candidates of a profile are each looked up by e-mail; more are found by reading windows. */
const LOOK_UP_ONE_BY_ONE = 40;
const WINDOW = 500;

interface Wanted {
  candidateId: number;
  profileId: number;
  email: string;
}

const everyState = (profileId: number, search = ""): CandidateFilter => ({
  profileId,
  modelId: null,
  states: ALL_STATES,
  justification: null,
  minInactiveDays: null,
  search,
});

/**
 * The candidates `wanted`, as the core has them now (their state and note after a reclaim run).
 * The candidate list has no filter by id: a few are found by their user's e-mail (a search the core
 * answers from its index), many by reading the profile's candidates in windows until all are seen.
 */
export async function readCandidates(wanted: readonly Wanted[]): Promise<Map<number, RemovalCandidate>> {
  const found = new Map<number, RemovalCandidate>();
  const byProfile = new Map<number, Wanted[]>();
  for (const w of wanted) byProfile.set(w.profileId, [...(byProfile.get(w.profileId) ?? []), w]);

  for (const [profileId, list] of byProfile) {
    if (list.length <= LOOK_UP_ONE_BY_ONE) {
      await Promise.all(
        list.map(async (w) => {
          const page = await ipc.listCandidates({
            filter: everyState(profileId, w.email),
            sort: "opened",
            descending: true,
            offset: 0,
            limit: 50,
          });
          const row = page.rows.find((r) => r.id === w.candidateId);
          if (row) found.set(row.id, row);
        }),
      );
      continue;
    }
    const missing = new Set(list.map((w) => w.candidateId));
    for (let offset = 0; missing.size > 0; ) {
      const page = await ipc.listCandidates({
        filter: everyState(profileId),
        sort: "opened",
        descending: true,
        offset,
        limit: WINDOW,
      });
      for (const row of page.rows) {
        if (missing.delete(row.id)) found.set(row.id, row);
      }
      offset += page.rows.length;
      if (page.rows.length === 0 || offset >= page.total) break;
    }
  }
  return found;
}
